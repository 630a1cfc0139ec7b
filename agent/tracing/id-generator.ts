import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { randomFillSync } from 'node:crypto';

const SLAB_BYTES = 8192;
/**
 * Bytes turned to hex at a time: one native conversion serves several ids, each a slice of the
 * chunk's string, and a slice kept alive (in an exemplar, say) keeps no more than this alive.
 */
const HEX_CHUNK_BYTES = 96;
const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

/** The ids of a span Vigil records itself, with where their bytes lie: the trace id's 16 bytes at `at`, the span id's 8 after them. */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly bytes: Buffer;
  readonly at: number;
}

/**
 * Trace and span ids cut from slabs of cryptographic random bytes, 8 KiB at a time, and converted
 * to hex a chunk at a time: a random call per four bytes, or a hex conversion per id, made id
 * generation a third of what starting a span costs. A used-up slab is replaced, never refilled,
 * so a span can keep its ids' bytes (`takeSpanIds`) and the exporter copies them instead of
 * decoding the hex again.
 */
export class PooledIdGenerator implements IdGenerator {
  private slab = Buffer.alloc(0);
  private taken = 0;
  private hex = '';
  private hexStart = 0;
  private hexEnd = 0;

  generateTraceId(): string {
    const at = this.take(TRACE_ID_BYTES);
    return isZero(this.slab, at, TRACE_ID_BYTES) ? this.generateTraceId() : this.hexOf(at, TRACE_ID_BYTES);
  }

  generateSpanId(): string {
    const at = this.take(SPAN_ID_BYTES);
    return isZero(this.slab, at, SPAN_ID_BYTES) ? this.generateSpanId() : this.hexOf(at, SPAN_ID_BYTES);
  }

  /** A new span id, and a new trace id unless the span continues `parentTraceId`'s trace. */
  takeSpanIds(parentTraceId: string | undefined): SpanIds {
    const at = this.take(TRACE_ID_BYTES + SPAN_ID_BYTES);
    const bytes = this.slab;
    const spanAt = at + TRACE_ID_BYTES;
    if (isZero(bytes, spanAt, SPAN_ID_BYTES) || (parentTraceId === undefined && isZero(bytes, at, TRACE_ID_BYTES))) return this.takeSpanIds(parentTraceId);
    let traceId = parentTraceId;
    if (traceId === undefined) traceId = this.hexOf(at, TRACE_ID_BYTES);
    else bytes.write(traceId, at, TRACE_ID_BYTES, 'hex');
    return { traceId, spanId: this.hexOf(spanAt, SPAN_ID_BYTES), bytes, at };
  }

  /** The offset of `length` unused bytes in `this.slab`. */
  private take(length: number): number {
    if (this.taken + length > this.slab.length) {
      this.slab = randomFillSync(Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.taken = 0;
      this.hexEnd = 0;
    }
    const at = this.taken;
    this.taken += length;
    return at;
  }

  /** Ids are converted in the order they were taken, so a chunk only ever moves forward. */
  private hexOf(at: number, length: number): string {
    if (at + length > this.hexEnd) {
      this.hexStart = at;
      this.hexEnd = Math.min(at + HEX_CHUNK_BYTES, this.slab.length);
      this.hex = this.slab.toString('hex', this.hexStart, this.hexEnd);
    }
    return this.hex.slice((at - this.hexStart) * 2, (at - this.hexStart + length) * 2);
  }
}

function isZero(bytes: Buffer, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return false;
  return true;
}
