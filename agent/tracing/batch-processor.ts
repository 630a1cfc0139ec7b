import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { asAgentCall } from '../http/own-calls';

export type DropReason = 'queue_full' | 'export_failed' | 'shutdown';

export interface BatchLimits {
  /** Most finished spans held while waiting for export; beyond it new spans are dropped. */
  readonly maxQueueSize: number;
  readonly maxBatchSize: number;
  /** How long a span may wait for its batch to fill. */
  readonly scheduledDelayMs: number;
  /** An export that has not answered by then counts as failed. */
  readonly exportTimeoutMs: number;
  /** Longest pause between attempts while the backend keeps failing. */
  readonly maxBackoffMs: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = Object.freeze({
  maxQueueSize: 2048,
  maxBatchSize: 512,
  scheduledDelayMs: 1000,
  exportTimeoutMs: 10_000,
  maxBackoffMs: 30_000,
});

export interface BatchEvents {
  exported(count: number): void;
  dropped(count: number, reason: DropReason): void;
  /** The backend stopped answering (with the error) or answers again (without one). */
  health(error: Error | undefined): void;
}

/** The spans of one export, taken in as they end. */
export interface SpanBatch {
  readonly size: number;
  /** Takes in an ended span; throws, keeping nothing of it, if it cannot. */
  add(span: ReadableSpan): void;
  /** The resources of its spans: their host and process attributes may still be under detection. */
  resources(): Iterable<Resource>;
}

/** Sends batches of its own kind: Vigil's OTLP exporter encodes spans as they are added. */
export interface BatchExporter<B extends SpanBatch> {
  newBatch(): B;
  export(batch: B, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

class SpanList implements SpanBatch {
  readonly spans: ReadableSpan[] = [];

  get size(): number {
    return this.spans.length;
  }

  add(span: ReadableSpan): void {
    this.spans.push(span);
  }

  resources(): Iterable<Resource> {
    return new Set(this.spans.map((span) => span.resource));
  }
}

/** Batches for an SDK exporter (Jaeger, console), which takes the spans themselves. */
export class SpanListExporter implements BatchExporter<SpanList> {
  constructor(private readonly exporter: SpanExporter) {}

  newBatch(): SpanList {
    return new SpanList();
  }

  export(batch: SpanList, done: (result: ExportResult) => void): void {
    this.exporter.export(batch.spans, done);
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

/**
 * Holds finished spans in bounded batches and exports them one batch at a time. While the backend
 * fails, the pause between attempts doubles up to `maxBackoffMs`; what is held stays bounded
 * meanwhile and every span that cannot be kept is counted, never buffered without end.
 */
export class BoundedBatchProcessor<B extends SpanBatch> implements SpanProcessor {
  /** Full batches first; the last one fills. */
  private batches: B[] = [];
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly exporter: BatchExporter<B>,
    private readonly events: BatchEvents,
    private readonly limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed) {
      this.events.dropped(1, 'shutdown');
      return;
    }
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.held >= this.limits.maxQueueSize) {
      this.events.dropped(1, 'queue_full');
      return;
    }
    let open = this.batches.at(-1);
    if (open === undefined || open.size >= this.limits.maxBatchSize) this.batches.push((open = this.exporter.newBatch()));
    try {
      open.add(span);
    } catch {
      // Ending a span runs in the service's own code, which must never see an exporter's error.
      this.events.dropped(1, 'export_failed');
      return;
    }
    this.held++;
    if (this.failures === 0 && open.size === this.limits.maxBatchSize) {
      // A full batch goes at once, not when the wait started by its first span ends: under load
      // that wait let the queue fill and drop nearly every span.
      this.clearTimer();
      this.schedule(0);
    } else this.schedule(this.delay());
  }

  /** Exports everything held; resolves early when `signal` aborts, leaving the rest unsent. */
  async forceFlush(signal?: AbortSignal): Promise<void> {
    this.clearTimer();
    while (!signal?.aborted) {
      if (this.exporting !== undefined) await this.exporting;
      else if (this.held > 0) await this.exportBatch();
      else break;
    }
    if (this.held > 0 && !this.closed) this.schedule(this.delay());
  }

  /** Flushes within `signal`'s budget, counts what is left as dropped, then shuts the exporter down. */
  async shutdown(signal?: AbortSignal): Promise<void> {
    if (this.closed) return;
    await this.forceFlush(signal);
    this.closed = true;
    this.clearTimer();
    if (this.held > 0) this.events.dropped(this.held, 'shutdown');
    this.batches = [];
    this.held = 0;
    await this.exporter.shutdown().catch(() => undefined);
  }

  /** Spans waiting for export; bounded by maxQueueSize. */
  get queued(): number {
    return this.held;
  }

  private delay(): number {
    if (this.failures === 0) return this.limits.scheduledDelayMs;
    return Math.min(this.limits.maxBackoffMs, this.limits.scheduledDelayMs * 2 ** Math.min(this.failures, 16));
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.exporting !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.exportBatch().then(() => {
        if (this.held > 0 && !this.closed) this.schedule(this.failures === 0 && this.batches[0]!.size >= this.limits.maxBatchSize ? 0 : this.delay());
      });
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private exportBatch(): Promise<void> {
    if (this.exporting !== undefined) return this.exporting;
    const batch = this.batches.shift();
    if (batch === undefined || batch.size === 0) return Promise.resolve();
    this.held -= batch.size;
    this.exporting = this.send(batch).finally(() => {
      this.exporting = undefined;
    });
    return this.exporting;
  }

  private async send(batch: B): Promise<void> {
    // Host and process attributes are detected asynchronously; spans ended before that wait for them.
    for (const resource of batch.resources()) if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.().catch(() => undefined);
    const result = await this.exportWithTimeout(batch);
    if (result.code === ExportResultCode.SUCCESS) {
      if (this.failures > 0) this.events.health(undefined);
      this.failures = 0;
      this.events.exported(batch.size);
      return;
    }
    this.failures += 1;
    this.events.dropped(batch.size, 'export_failed');
    this.events.health(result.error ?? new Error('export failed'));
  }

  private exportWithTimeout(batch: B): Promise<ExportResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ code: ExportResultCode.FAILED, error: new Error(`no answer within ${this.limits.exportTimeoutMs} ms`) }), this.limits.exportTimeoutMs);
      timer.unref();
      try {
        asAgentCall(() =>
          this.exporter.export(batch, (result) => {
            clearTimeout(timer);
            resolve(result);
          }),
        );
      } catch (error) {
        clearTimeout(timer);
        resolve({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });
  }
}
