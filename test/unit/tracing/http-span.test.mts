import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { HttpSpanStarter } from '../../../dist/agent/tracing/http-span.js';
import { PooledIdGenerator } from '../../../dist/agent/tracing/id-generator.js';

const limits = { attributeCountLimit: 3, attributeValueLengthLimit: 5, eventCountLimit: 2, linkCountLimit: 1 };
const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };

/** Given at the start: one more than the limit, and a value longer than the limit. */
const startAttributes = () => ({ 'http.request.method': 'GET', 'url.path': '/songs/12', 'network.protocol.version': '1.1', 'server.port': 8080 });

/** The same calls, as a service's code or an instrumentation would make them on the active span. */
function exercise(span: Span): void {
  span.setAttributes({ 'bad.value': { nested: true } as never, empty: undefined });
  span.setAttribute('tags', ['abcdefgh', 'x']);
  span.setAttribute('one.too.many', 1);
  span.setAttribute('http.request.method', 'POST'); // an existing key is replaced even at the limit
  span.addEvent('first', { attempt: 1 });
  span.addEvent('second', [1_800_000_000, 5]);
  span.recordException(Object.assign(new Error('boom'), { code: 'ECONNRESET' }));
  span.addLink({ context: LINKED, attributes: { reason: 'retry' } });
  span.addLinks([{ context: LINKED }]);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('GET /songs/:id');
  span.end([1_800_000_001, 0]);
  span.setAttribute('after.end', 1);
  span.updateName('renamed after end');
}

/** What an exporter reads of a span, less what differs between any two spans (ids, the start time). */
function exported(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map(({ name, attributes, time }) => ({ name, attributes: { ...attributes, 'exception.stacktrace': undefined }, time: name === 'second' ? time : undefined })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links,
    droppedLinksCount: span.droppedLinksCount,
    status: span.status,
    endTime: span.endTime,
    ended: span.ended,
  };
}

describe('HttpSpan', () => {
  it('records what the SDK span records for the same calls, within the same limits', () => {
    const exporter = new InMemorySpanExporter();
    const processors = [new SimpleSpanProcessor(exporter)];
    const provider = new BasicTracerProvider({ spanProcessors: processors, spanLimits: limits });
    exercise(provider.getTracer('sdk').startSpan('GET', { kind: SpanKind.SERVER, attributes: startAttributes() }, ROOT_CONTEXT));
    const starter = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'vigil' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors, spanLimits: limits });
    exercise(starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, startAttributes()));

    const [sdkSpan, httpSpan] = exporter.getFinishedSpans();
    assert.ok(sdkSpan && httpSpan, 'both spans reach the processor on end');
    assert.deepEqual(exported(httpSpan), exported(sdkSpan));
    assert.deepEqual(httpSpan.attributes, { 'http.request.method': 'POST', 'url.path': '/song', 'network.protocol.version': '1.1' });
    assert.equal(httpSpan.droppedAttributesCount, 3);
    assert.equal(httpSpan.events.at(-1)?.attributes?.['exception.type'], 'ECONN', 'event attributes are held to the same limits');
  });

  it('follows the parent and the sampler: a child of an unsampled parent is not recorded', () => {
    const processors = [new SimpleSpanProcessor(new InMemorySpanExporter())];
    const starter = new HttpSpanStarter({
      resource: resourceFromAttributes({}),
      scope: { name: 'vigil' },
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(1) }),
      idGenerator: new PooledIdGenerator(),
      processors,
    });
    const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, { ...LINKED, traceFlags: TraceFlags.NONE });
    const child = starter.start('GET', SpanKind.SERVER, unsampledParent, {});
    assert.equal(child.isRecording(), false);
    assert.equal(child.spanContext().traceId, LINKED.traceId, 'the trace continues even unrecorded');

    const sampledChild = starter.start('GET', SpanKind.CLIENT, trace.setSpanContext(ROOT_CONTEXT, LINKED), {});
    assert.equal(sampledChild.isRecording(), true);
    assert.equal(sampledChild.spanContext().traceId, LINKED.traceId);
    assert.equal((sampledChild as unknown as ReadableSpan).parentSpanContext?.spanId, LINKED.spanId);

    const root = starter.start('GET', SpanKind.SERVER, ROOT_CONTEXT, {});
    assert.equal(root.spanContext().traceFlags, TraceFlags.SAMPLED);
    assert.notEqual(root.spanContext().traceId, LINKED.traceId);
  });
});
