import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HttpSpanStarter } from '../../../dist/agent/tracing/http-span.js';
import { PooledIdGenerator } from '../../../dist/agent/tracing/id-generator.js';
import { AttributeCache, EncodedSpans } from '../../../dist/agent/tracing/otlp-proto.js';

/** A protobuf wire-format reader: field number to the list of raw values (numbers, bigints or byte strings). */
type Fields = Map<number, (bigint | Buffer)[]>;
function decode(bytes: Buffer): Fields {
  const fields: Fields = new Map();
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new Error(`a varint runs past the end (${bytes.length} bytes)`);
      const byte = bytes[at++]!;
      result |= BigInt(byte & 127) << shift;
      if (byte < 128) return result;
    }
  };
  while (at < bytes.length) {
    const key = Number(varint());
    const [field, wireType] = [key >> 3, key & 7];
    let value: bigint | Buffer;
    if (wireType === 0) value = varint();
    else if (wireType === 1) value = bytes.subarray(at, (at += 8));
    else if (wireType === 2) {
      const length = Number(varint());
      if (at + length > bytes.length) throw new Error(`a field of ${length} bytes at ${at} runs past the end (${bytes.length} bytes)`);
      value = bytes.subarray(at, (at += length));
    } else throw new Error(`wire type ${wireType} at ${at}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}
const one = (fields: Fields, field: number) => fields.get(field)?.[0];
const text = (fields: Fields, field: number) => (one(fields, field) as Buffer | undefined)?.toString('utf8');
const message = (fields: Fields, field: number) => decode(one(fields, field) as Buffer);
const all = (fields: Fields, field: number) => (fields.get(field) ?? []).map((value) => decode(value as Buffer));
function attributes(list: Fields[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const keyValue of list) {
    const value = message(keyValue, 2);
    const [field] = [...value.keys()];
    const raw = one(value, field!)!;
    out[text(keyValue, 1)!] =
      field === 1 ? (raw as Buffer).toString() : field === 2 ? raw === 1n : field === 3 ? BigInt.asIntN(64, raw as bigint) : field === 4 ? (raw as Buffer).readDoubleLE() : (message(value, 5).get(1) ?? []).length;
  }
  return out;
}

function encodeTraceRequest(spans: readonly ReadableSpan[], cache: AttributeCache): Buffer {
  const batch = new EncodedSpans(cache);
  for (const span of spans) batch.add(span);
  return batch.finish();
}

function recordSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'service.tier': 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('vigil-test', '1.2.3');
  const parent = tracer.startSpan('GET /songs/:id', { kind: SpanKind.SERVER, startTime: [1_800_000_000, 123_456_789] }, ROOT_CONTEXT);
  const child = tracer.startSpan(
    'SELECT songs',
    { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', rows: 3, ratio: 0.5, cached: false, offset: -2, tags: ['a', 'b'], long: 'é'.repeat(200) } },
    trace.setSpan(ROOT_CONTEXT, parent),
  );
  child.addEvent('retry', { attempt: 1 });
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
  child.end([1_800_000_001, 5]);
  parent.end([1_800_000_002, 0]);
  return exporter.getFinishedSpans();
}

describe('EncodedSpans', () => {
  const spans = recordSpans();
  const request = decode(encodeTraceRequest(spans, new AttributeCache()));
  const resourceSpans = all(request, 1);
  const scopeSpans = all(resourceSpans[0]!, 2);
  const encoded = all(scopeSpans[0]!, 2);
  const byName = new Map(encoded.map((span) => [text(span, 5), span]));

  it('groups spans under their resource and instrumentation scope', () => {
    assert.equal(resourceSpans.length, 1);
    assert.deepEqual(attributes(all(message(resourceSpans[0]!, 1), 1)), { 'service.name': 'checkout', 'service.tier': 2n });
    const scope = message(scopeSpans[0]!, 1);
    assert.equal(text(scope, 1), 'vigil-test');
    assert.equal(text(scope, 2), '1.2.3');
    assert.equal(encoded.length, 2);
  });

  it('keeps ids, the parent link, kind and exact nanosecond times', () => {
    const [child, parent] = spans;
    const encodedChild = byName.get('SELECT songs')!;
    const encodedParent = byName.get('GET /songs/:id')!;
    assert.equal((one(encodedChild, 1) as Buffer).toString('hex'), child!.spanContext().traceId);
    assert.equal((one(encodedChild, 2) as Buffer).toString('hex'), child!.spanContext().spanId);
    assert.equal((one(encodedChild, 4) as Buffer).toString('hex'), parent!.spanContext().spanId);
    assert.equal(one(encodedParent, 4), undefined, 'a root span has no parent');
    assert.equal(one(encodedParent, 6), 2n, 'SERVER');
    assert.equal(one(encodedChild, 6), 3n, 'CLIENT');
    assert.equal((one(encodedParent, 7) as Buffer).readBigUInt64LE(), 1_800_000_000_123_456_789n);
    assert.equal((one(encodedChild, 8) as Buffer).readBigUInt64LE(), 1_800_000_001_000_000_005n);
  });

  it("writes an HTTP span's ids: a root's, a child's continuing a remote trace, a long-lived span's", () => {
    const starter = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'vigil' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors: [] });
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const longLived = starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {});
    // Enough spans after it that the bytes its ids were cut from are gone, and the encoder decodes its hex ids.
    for (let i = 0; i < 5000; i++) starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {});
    const started = [starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {}), starter.start('GET', SpanKind.SERVER, remote, {}), starter.start('GET', SpanKind.CLIENT, ROOT_CONTEXT, {}), longLived];
    for (const span of started) span.end();
    const encodedSpans = all(all(all(decode(encodeTraceRequest(started as unknown as ReadableSpan[], new AttributeCache())), 1)[0]!, 2)[0]!, 2);
    assert.equal(encodedSpans.length, 4);
    encodedSpans.forEach((encodedSpan, index) => {
      const { traceId, spanId } = started[index]!.spanContext();
      assert.equal((one(encodedSpan, 1) as Buffer).toString('hex'), traceId);
      assert.equal((one(encodedSpan, 2) as Buffer).toString('hex'), spanId);
    });
    assert.equal(started[1]!.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.equal((one(encodedSpans[1]!, 4) as Buffer).toString('hex'), 'b7ad6b7169203331');
  });

  it('writes spans whose length takes one, two or three bytes', () => {
    const starter = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'vigil' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors: [] });
    const sizes = [0, 300, 20_000];
    const started = sizes.map((size) => starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, size === 0 ? {} : { note: 'x'.repeat(size) }));
    for (const span of started) span.end();
    const encodedSpans = all(all(all(decode(encodeTraceRequest(started as unknown as ReadableSpan[], new AttributeCache())), 1)[0]!, 2)[0]!, 2);
    assert.deepEqual(
      encodedSpans.map((encodedSpan) => [text(encodedSpan, 5), (attributes(all(encodedSpan, 9)).note as string | undefined)?.length ?? 0]),
      sizes.map((size) => ['GET', size]),
    );
  });

  it("writes an HTTP span's times, kept in epoch milliseconds, as the nanoseconds of its HrTimes", () => {
    const starter = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'vigil' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors: [] });
    const span = starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {}) as unknown as ReadableSpan;
    (span as unknown as { end(time: [number, number]): void }).end([1_800_000_001, 999_999_999]);
    const [encodedSpan] = all(all(all(decode(encodeTraceRequest([span], new AttributeCache())), 1)[0]!, 2)[0]!, 2);
    const nanos = ([seconds, fraction]: [number, number]) => BigInt(seconds) * 1_000_000_000n + BigInt(fraction);
    assert.equal((one(encodedSpan!, 7) as Buffer).readBigUInt64LE(), nanos(span.startTime));
    assert.equal((one(encodedSpan!, 8) as Buffer).readBigUInt64LE(), nanos(span.endTime));
  });

  it('writes epoch milliseconds as the nearest nanosecond, just below a whole second too', () => {
    const starter = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'vigil' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors: [] });
    const justBelow = (ms: number) => ms - ms * Number.EPSILON;
    const samples = [1_800_000_000_123.456, 1_764_000_000_000.25, justBelow(1_800_000_002_000), 1_700_000_000_999.9998, ...Array.from({ length: 50 }, () => 1.7e12 + Math.random() * 1e11)];
    const started = samples.map((ms) => {
      const span = starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {});
      (span as unknown as { startEpochMs: number }).startEpochMs = ms;
      span.end();
      return span as unknown as ReadableSpan;
    });
    const encodedSpans = all(all(all(decode(encodeTraceRequest(started, new AttributeCache())), 1)[0]!, 2)[0]!, 2);
    // Whole milliseconds and the fraction apart are exact doubles; only the fraction is rounded.
    const expected = (ms: number) => BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1e6));
    assert.deepEqual(
      encodedSpans.map((encodedSpan) => (one(encodedSpan, 7) as Buffer).readBigUInt64LE()),
      samples.map(expected),
    );
  });

  it('writes every attribute type, events and the error status', () => {
    const encodedChild = byName.get('SELECT songs')!;
    assert.deepEqual(attributes(all(encodedChild, 9)), {
      'db.system': 'postgresql',
      rows: 3n,
      ratio: 0.5,
      cached: false,
      offset: -2n,
      tags: 2,
      long: 'é'.repeat(200),
    });
    const [event] = all(encodedChild, 11);
    assert.equal(text(event!, 2), 'retry');
    assert.deepEqual(attributes(all(event!, 3)), { attempt: 1n });
    const status = message(encodedChild, 15);
    assert.equal(one(status, 3), 2n);
    assert.equal(text(status, 2), 'timeout');
  });

  it('writes the same bytes for repeated attributes, and every value past the cache bound', () => {
    const cache = new AttributeCache();
    const first = encodeTraceRequest(spans, cache);
    assert.deepEqual(encodeTraceRequest(spans, cache), first);
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    const tracer = provider.getTracer('paths');
    const paths = Array.from({ length: 100 }, (_, i) => {
      const span = tracer.startSpan('GET', { attributes: { 'url.path': `/songs/${i}`, 'http.response.status_code': 200 + (i % 3) } }, ROOT_CONTEXT);
      span.end();
      return span as unknown as (typeof spans)[number];
    });
    const decoded = all(all(all(decode(encodeTraceRequest(paths, cache)), 1)[0]!, 2)[0]!, 2);
    assert.deepEqual(
      decoded.map((span) => attributes(all(span, 9))),
      paths.map((_, i) => ({ 'url.path': `/songs/${i}`, 'http.response.status_code': BigInt(200 + (i % 3)) })),
    );
  });

  it('encodes a large batch whose messages outgrow the first buffer', () => {
    const many = Array.from({ length: 300 }, () => spans).flat();
    const decoded = decode(encodeTraceRequest(many, new AttributeCache()));
    assert.equal(all(all(all(decoded, 1)[0]!, 2)[0]!, 2).length, 600);
  });

  it('keeps the spans of each resource and scope apart', () => {
    const [child, parent] = spans;
    const otherScope = { ...child!, instrumentationScope: { name: 'other' }, spanContext: () => child!.spanContext() };
    const otherResource = { ...parent!, resource: resourceFromAttributes({ 'service.name': 'billing' }), spanContext: () => parent!.spanContext() };
    const decoded = all(decode(encodeTraceRequest([child!, otherScope, parent!, otherResource], new AttributeCache())), 1);
    const layout = decoded.map((resourceSpans) => ({
      service: attributes(all(message(resourceSpans, 1), 1))['service.name'],
      scopes: all(resourceSpans, 2).map((scopeSpans) => [text(message(scopeSpans, 1), 1), all(scopeSpans, 2).map((span) => text(span, 5))]),
    }));
    assert.deepEqual(layout, [
      { service: 'checkout', scopes: [['vigil-test', ['SELECT songs', 'GET /songs/:id']], ['other', ['SELECT songs']]] },
      { service: 'billing', scopes: [['vigil-test', ['GET /songs/:id']]] },
    ]);
  });

  it('leaves nothing of a span it cannot write', () => {
    const [child, parent] = spans;
    const broken = { ...child!, spanContext: () => ({ ...child!.spanContext(), traceState: { serialize: () => { throw new Error('broken trace state'); } } }) } as unknown as ReadableSpan;
    const batch = new EncodedSpans(new AttributeCache());
    batch.add(child!);
    assert.throws(() => batch.add(broken), /broken trace state/);
    batch.add(parent!);
    assert.equal(batch.size, 2);
    const names = all(all(all(decode(batch.finish()), 1)[0]!, 2)[0]!, 2).map((span) => text(span, 5));
    assert.deepEqual(names, ['SELECT songs', 'GET /songs/:id']);
  });
});
