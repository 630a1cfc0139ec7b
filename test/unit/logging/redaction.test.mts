import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CENSOR, censorSecrets } from '../../../dist/agent/logging/redaction.js';

describe('default redaction', () => {
  it('censors credentials by name, in any case, nested and in arrays, without touching the caller\'s objects', () => {
    const record = {
      req: { headers: { Authorization: 'Bearer t', Cookie: 'a=b', accept: '*/*' } },
      users: [{ name: 'ada', password: 'p' }, { name: 'bob' }],
      config: { db: { apiKey: 'k', host: 'db' } },
      seq: 1,
    };
    const snapshot = structuredClone(record);
    const censored = censorSecrets(record) as typeof record;
    assert.deepEqual(record, snapshot, 'the logged object is unchanged');
    assert.equal(censored.req.headers.Authorization, CENSOR);
    assert.equal(censored.req.headers.Cookie, CENSOR);
    assert.equal(censored.req.headers.accept, '*/*');
    assert.equal(censored.users[0]?.password, CENSOR);
    assert.equal(censored.users[1], record.users[1], 'untouched branches are shared, not copied');
    assert.equal(censored.config.db.apiKey, CENSOR);
    assert.equal(censored.config.db.host, 'db');
  });

  it('returns the very same record when there is nothing to censor', () => {
    const record = { seq: 1, nested: { a: [1, 2, { b: 'c' }] }, when: new Date(0) };
    assert.equal(censorSecrets(record), record);
  });

  it('leaves class instances to serialize themselves and bounds the walk', () => {
    class Box {
      password = 'inside a class instance';
    }
    const box = new Box();
    assert.equal((censorSecrets({ box }) as { box: Box }).box, box);
    const wide: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) wide[`k${i}`] = i;
    wide.password = 'last';
    assert.doesNotThrow(() => censorSecrets(wide));
  });
});
