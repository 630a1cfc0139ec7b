import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BoundedBatchProcessor, SpanListExporter, type BatchLimits, type DropReason } from '../../../dist/agent/tracing/batch-processor.js';

/** An exporter whose backend can be switched up and down, recording what reached it. */
class SwitchableExporter implements SpanExporter {
  up = true;
  attempts = 0;
  readonly received: ReadableSpan[] = [];

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.attempts += 1;
    if (this.up) this.received.push(...spans);
    const result = this.up ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') };
    setImmediate(() => done(result));
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function setUp(limits: Partial<BatchLimits> = {}) {
  const exporter = new SwitchableExporter();
  const counts = { exported: 0, dropped: new Map<DropReason, number>(), health: [] as (string | undefined)[] };
  const processor = new BoundedBatchProcessor(
    new SpanListExporter(exporter),
    {
      exported: (count) => (counts.exported += count),
      dropped: (count, reason) => counts.dropped.set(reason, (counts.dropped.get(reason) ?? 0) + count),
      health: (error) => counts.health.push(error?.message),
    },
    { maxQueueSize: 100, maxBatchSize: 10, scheduledDelayMs: 20, exportTimeoutMs: 1000, maxBackoffMs: 200, ...limits },
  );
  const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
  const emit = (count: number) => {
    for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  };
  return { exporter, counts, processor, emit };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BoundedBatchProcessor', () => {
  it('exports every span in batches no larger than the batch size', async () => {
    const { exporter, counts, processor, emit } = setUp();
    emit(35);
    await processor.forceFlush();
    assert.equal(exporter.received.length, 35);
    assert.equal(counts.exported, 35);
    assert.ok(exporter.attempts >= 4, `35 spans in batches of 10 take at least 4 exports, took ${exporter.attempts}`);
  });

  it('exports on its own after the scheduled delay', async () => {
    const { exporter, emit } = setUp();
    emit(3);
    await sleep(300);
    assert.equal(exporter.received.length, 3);
  });

  it('sends a full batch at once, and keeps up with a steady stream without dropping', async () => {
    const { exporter, counts, emit } = setUp({ scheduledDelayMs: 60_000 });
    emit(3); // starts the wait for the first batch
    emit(7);
    await sleep(50);
    assert.equal(exporter.received.length, 10, 'a full batch does not wait for the delay set by its first span');
    for (let tick = 0; tick < 20; tick++) {
      // Faster than one batch per tick, slower than the exporter: each batch waits for a timer of at
      // least 1 ms, so three batches in 5 ms left no room for a loaded machine's late timers.
      emit(25);
      await sleep(10);
    }
    await sleep(100);
    assert.equal(counts.dropped.size, 0, `dropped ${JSON.stringify([...counts.dropped])}`);
    assert.equal(exporter.received.length, 510);
  });

  it('keeps the queue bounded while the backend is down and counts each lost span by reason', async () => {
    const { exporter, counts, processor, emit } = setUp();
    exporter.up = false;
    emit(500);
    assert.ok(processor.queued <= 100, `queue holds ${processor.queued} spans`);
    await sleep(100);
    emit(500);
    assert.ok(processor.queued <= 100);
    await processor.forceFlush();
    const lost = (counts.dropped.get('queue_full') ?? 0) + (counts.dropped.get('export_failed') ?? 0);
    assert.equal(lost, 1000, 'every span is either exported or counted as dropped');
    assert.ok((counts.dropped.get('queue_full') ?? 0) >= 800);
    assert.equal(counts.health[0], 'connect ECONNREFUSED');
  });

  it('backs off while the backend fails instead of retrying in a tight loop', async () => {
    const { exporter, emit } = setUp({ scheduledDelayMs: 20, maxBackoffMs: 400 });
    exporter.up = false;
    const started = Date.now();
    while (Date.now() - started < 1200) {
      emit(5);
      await sleep(10);
    }
    // Without back-off a 20 ms delay would allow ~60 attempts in 1.2 s.
    assert.ok(exporter.attempts <= 12, `${exporter.attempts} attempts in 1.2 s`);
  });

  it('exports again once the backend is back, and says so once', async () => {
    const { exporter, counts, processor, emit } = setUp({ maxBackoffMs: 100 });
    exporter.up = false;
    emit(5);
    await sleep(100);
    exporter.up = true;
    emit(5);
    await sleep(400);
    await processor.forceFlush();
    assert.ok(exporter.received.length >= 5, `received ${exporter.received.length}`);
    assert.deepEqual(counts.health, ['connect ECONNREFUSED', undefined]);
  });

  it('flushes what is queued on shutdown and counts spans ended afterwards', async () => {
    const { exporter, counts, processor, emit } = setUp({ scheduledDelayMs: 60_000 });
    emit(7);
    await processor.shutdown(AbortSignal.timeout(1000));
    assert.equal(exporter.received.length, 7);
    emit(2);
    assert.equal(counts.dropped.get('shutdown'), 2);
  });

  it('counts as dropped what the shutdown budget leaves unsent', async () => {
    const { exporter, counts, processor, emit } = setUp({ scheduledDelayMs: 60_000 });
    exporter.up = false;
    emit(50);
    await processor.shutdown(AbortSignal.abort());
    assert.equal((counts.dropped.get('shutdown') ?? 0) + (counts.dropped.get('export_failed') ?? 0), 50);
    assert.equal(processor.queued, 0);
  });

  it('counts a span its batch cannot take, and the service ending it sees no error', async () => {
    /** Takes every span but one named "unwritable", as an encoder would refuse a span it cannot write. */
    class NameBatch {
      readonly names: string[] = [];
      get size() {
        return this.names.length;
      }
      add(span: ReadableSpan) {
        if (span.name === 'unwritable') throw new Error('cannot encode');
        this.names.push(span.name);
      }
      resources() {
        return [];
      }
    }
    const sent: string[][] = [];
    const exporter = {
      newBatch: () => new NameBatch(),
      export(batch: NameBatch, done: (result: ExportResult) => void) {
        sent.push(batch.names);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const dropped: [number, DropReason][] = [];
    const processor = new BoundedBatchProcessor(exporter, { exported: () => {}, dropped: (count, reason) => dropped.push([count, reason]), health: () => {} });
    const tracer = new BasicTracerProvider({ spanProcessors: [processor] }).getTracer('test');
    for (const name of ['first', 'unwritable', 'last']) tracer.startSpan(name).end();
    await processor.forceFlush();
    assert.deepEqual(sent, [['first', 'last']]);
    assert.deepEqual(dropped, [[1, 'export_failed']]);
  });
});
