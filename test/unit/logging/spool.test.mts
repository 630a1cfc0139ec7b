import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Spool, spoolHoldsLines } from '../../../dist/agent/logging/spool.js';

describe('spool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-spool-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tells whether lines wait in it, so the log worker starts at once only when there is something to replay', () => {
    assert.equal(spoolHoldsLines(join(dir, 'missing')), false);
    const spool = new Spool(dir, 1024 * 1024);
    assert.equal(spoolHoldsLines(dir), false, 'an empty spool');
    spool.append(['{"message":"kept while Kafka was away"}']);
    assert.equal(spoolHoldsLines(dir), true);
  });
});
