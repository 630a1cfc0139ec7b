import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRejected, toDocument } from '../../../dist/collectors/logs/document.js';

const at = { topic: 'vigil-logs', partition: 3, offset: '41', key: Buffer.from('songs') };

function line(record: unknown): Buffer {
  return Buffer.from(typeof record === 'string' ? record : JSON.stringify(record));
}

function documentOf(value: Buffer, where = at) {
  const result = toDocument({ ...where, value });
  assert.ok(!isRejected(result), `expected a document, got ${JSON.stringify(result)}`);
  return result;
}

describe('log record to document', () => {
  const record = { '@timestamp': '2026-01-01T00:00:00.000Z', 'log.level': 'info', message: 'hi', 'service.name': 'songs', 'deployment.environment': 'prod' };

  it('routes to logs-<service>-<environment> with an id made of topic, partition and offset', () => {
    const document = documentOf(line(record));
    assert.equal(document.dataStream, 'logs-songs-prod');
    assert.equal(document.id, 'vigil-logs:3:41');
    assert.deepEqual(JSON.parse(document.json), record);
  });

  it('gives the same record at the same offset the same id, so a redelivery is no second document', () => {
    assert.equal(documentOf(line(record)).id, documentOf(line(record)).id);
    assert.notEqual(documentOf(line(record)).id, documentOf(line(record), { ...at, offset: '42' }).id);
  });

  it("prefers the agent's event.id, so a line sent twice at two offsets is one document", () => {
    const withId = { ...record, 'event.id': 'a1b2' };
    assert.equal(documentOf(line(withId)).id, 'a1b2');
    assert.equal(documentOf(line(withId), { ...at, offset: '99' }).id, 'a1b2');
  });

  it('puts shadow traffic into the shadow namespace, by label or by topic', () => {
    assert.equal(documentOf(line({ ...record, 'labels.traffic': 'shadow' })).dataStream, 'logs-songs-shadow');
    assert.equal(documentOf(line(record), { ...at, topic: 'vigil-logs-shadow' }).dataStream, 'logs-songs-shadow');
  });

  it('reads nested ECS objects too, and falls back to the message key for the service', () => {
    assert.equal(documentOf(line({ service: { name: 'Cart API' }, deployment: { environment: 'Stage' } })).dataStream, 'logs-cart_api-stage');
    assert.equal(documentOf(line({ message: 'no identity' })).dataStream, 'logs-songs-default');
    assert.equal(documentOf(line({ 'service.name': 'songs', 'service.environment': 'qa' })).dataStream, 'logs-songs-qa');
  });

  it('keeps each document on one line of the bulk body', () => {
    const document = documentOf(line(JSON.stringify(record, null, 2)));
    assert.ok(!document.json.includes('\n'));
    assert.deepEqual(JSON.parse(document.json), record);
  });

  it('rejects what is not a JSON object, with a reason', () => {
    const notJson = toDocument({ ...at, value: line('{"message": "cut') });
    assert.ok(isRejected(notJson));
    assert.equal(notJson.reason, 'invalid_json');
    assert.match(notJson.detail, /not JSON/);
    const array = toDocument({ ...at, value: line([1, 2]) });
    assert.ok(isRejected(array) && array.reason === 'not_an_object');
    const empty = toDocument({ ...at, value: null });
    assert.ok(isRejected(empty) && empty.reason === 'invalid_json');
  });
});
