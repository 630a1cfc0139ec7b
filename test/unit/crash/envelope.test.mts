// The test ingest server's envelope parser, against envelopes serialized by Sentry's own code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRequire } from 'node:module';
import { parseEnvelope } from '../../support/sentry-ingest.mts';

interface SentryCore {
  createEnvelope(headers: object, items: unknown[]): unknown;
  createAttachmentEnvelopeItem(attachment: { filename: string; data: string | Uint8Array; contentType?: string }): unknown;
  serializeEnvelope(envelope: unknown): string | Uint8Array;
}
// @sentry/core comes with @sentry/node; the test uses its serializer as the reference.
const core = createRequire(createRequire(import.meta.url).resolve('@sentry/node'))('@sentry/core') as SentryCore;

describe('envelope parser', () => {
  it('reads the header, an event item without a length, and binary attachments with one', () => {
    const binary = new Uint8Array([0, 10, 255, 10, 13]);
    const envelope = core.createEnvelope({ event_id: 'abc', sent_at: 'now' }, [
      [{ type: 'event' }, { event_id: 'abc', message: 'line\nbreak inside JSON is escaped' }],
      core.createAttachmentEnvelopeItem({ filename: 'report.json', data: '{"a":1}\n{"b":2}', contentType: 'application/json' }),
      core.createAttachmentEnvelopeItem({ filename: 'blob.bin', data: binary }),
    ]);
    const serialized = core.serializeEnvelope(envelope);
    const parsed = parseEnvelope(Buffer.from(serialized));
    assert.deepEqual(parsed.headers, { event_id: 'abc', sent_at: 'now' });
    assert.deepEqual(parsed.items.map((item) => item.headers.type), ['event', 'attachment', 'attachment']);
    assert.deepEqual(JSON.parse(parsed.items[0]!.payload.toString('utf8')), { event_id: 'abc', message: 'line\nbreak inside JSON is escaped' });
    assert.equal(parsed.items[1]!.headers.filename, 'report.json');
    assert.equal(parsed.items[1]!.payload.toString('utf8'), '{"a":1}\n{"b":2}');
    assert.deepEqual([...parsed.items[2]!.payload], [...binary]);
  });

  it('refuses an item cut shorter than its declared length', () => {
    const body = Buffer.from('{}\n{"type":"attachment","length":10}\nabc');
    assert.throws(() => parseEnvelope(body), /cut short: 3 of 10 bytes/);
  });
});
