import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { randomFillSync } from 'node:crypto';

const SLAB_BYTES = 8192;
/** Slabs refilled in turn: a span's id bytes stay in place while this many slabs' worth of ids (about 1 300 spans) come after them. */
const SLABS = 4;
/**
 * Bytes turned to hex at a time: one native conversion serves several ids, each a slice of the
 * chunk's string, and a slice kept alive (in an exemplar, say) keeps no more than this alive.
 */
const HEX_CHUNK_BYTES = 96;
const TRACE_ID_BYTES = 16;
const SPAN_ID_BYTES = 8;

/** Random bytes that ids are cut from; `generation` counts its refills. */
interface IdSlab {
  readonly bytes: Buffer;
  generation: number;
}

/** The ids of a span Vigil records itself, and where their bytes were cut: the trace id's 16 at `at`, the span id's 8 after them. */
export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
  readonly slab: IdSlab;
  readonly generation: number;
  readonly at: number;
}

/** The buffer holding the ids' 24 bytes at `ids.at`, or undefined once their slab has been refilled. */
export function spanIdBytes(ids: SpanIds): Buffer | undefined {
  return ids.slab.generation === ids.generation ? ids.slab.bytes : undefined;
}

/**
 * Trace and span ids cut from slabs of cryptographic random bytes, 8 KiB at a time, and converted
 * to hex a chunk at a time: a random call per four bytes, or a hex conversion per id, made id
 * generation a third of what starting a span costs. The slabs are refilled in turn, so a span's
 * id bytes usually are still there when it ends (`takeSpanIds`, `spanIdBytes`) and the exporter
 * copies them instead of decoding the hex again; a long-lived span keeps no slab alive.
 */
export class PooledIdGenerator implements IdGenerator {
  private readonly slabs: IdSlab[] = Array.from({ length: SLABS }, () => ({ bytes: Buffer.allocUnsafeSlow(SLAB_BYTES), generation: 0 }));
  // Starts as if the last slab were used up, so that the first id fills the first.
  private slabIndex = SLABS - 1;
  private slab = this.slabs[SLABS - 1]!;
  private taken = SLAB_BYTES;
  private hex = '';
  private hexStart = 0;
  private hexEnd = 0;

  generateTraceId(): string {
    const at = this.take(TRACE_ID_BYTES);
    return isZero(this.slab.bytes, at, TRACE_ID_BYTES) ? this.generateTraceId() : this.hexOf(at, TRACE_ID_BYTES);
  }

  generateSpanId(): string {
    const at = this.take(SPAN_ID_BYTES);
    return isZero(this.slab.bytes, at, SPAN_ID_BYTES) ? this.generateSpanId() : this.hexOf(at, SPAN_ID_BYTES);
  }

  /** A new span id, and a new trace id unless the span continues `parentTraceId`'s trace. */
  takeSpanIds(parentTraceId: string | undefined): SpanIds {
    const at = this.take(TRACE_ID_BYTES + SPAN_ID_BYTES);
    const { slab } = this;
    const spanAt = at + TRACE_ID_BYTES;
    if (isZero(slab.bytes, spanAt, SPAN_ID_BYTES) || (parentTraceId === undefined && isZero(slab.bytes, at, TRACE_ID_BYTES))) return this.takeSpanIds(parentTraceId);
    let traceId = parentTraceId;
    if (traceId === undefined) traceId = this.hexOf(at, TRACE_ID_BYTES);
    else slab.bytes.write(traceId, at, TRACE_ID_BYTES, 'hex');
    return { traceId, spanId: this.hexOf(spanAt, SPAN_ID_BYTES), slab, generation: slab.generation, at };
  }

  /** The offset of `length` unused bytes in the current slab. */
  private take(length: number): number {
    if (this.taken + length > SLAB_BYTES) {
      this.slabIndex = (this.slabIndex + 1) % SLABS;
      this.slab = this.slabs[this.slabIndex]!;
      this.slab.generation++;
      randomFillSync(this.slab.bytes);
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
      this.hexEnd = Math.min(at + HEX_CHUNK_BYTES, SLAB_BYTES);
      this.hex = this.slab.bytes.toString('hex', this.hexStart, this.hexEnd);
    }
    return this.hex.slice((at - this.hexStart) * 2, (at - this.hexStart + length) * 2);
  }
}

function isZero(bytes: Buffer, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (bytes[i] !== 0) return false;
  return true;
}
