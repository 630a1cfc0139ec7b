import { SpanKind, type AttributeValue, type Attributes, type HrTime } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import { HttpSpan } from './http-span';
import { spanIdBytes } from './id-generator';

/**
 * The spans of one export, written in OTLP protobuf (an ExportTraceServiceRequest) as they end,
 * with no intermediate objects: on a small route, turning each span into the generic OTLP object
 * tree and then into bytes cost more than recording the span, and a span kept until its batch
 * leaves outlives the young generation, where a span written at its end does not. Each resource
 * and scope collects its spans' bytes apart; `finish` wraps them. Field numbers follow
 * opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto. `cache` lives as long as the
 * exporter, so repeated span attributes are encoded once.
 */
export class EncodedSpans {
  private readonly groups = new Map<Resource, Map<InstrumentationScope, ProtoWriter>>();
  private count = 0;

  /** `expectedBytes`: what the first resource and scope's spans will likely take, the size of the previous batch, say. */
  constructor(
    private readonly cache: AttributeCache,
    private readonly expectedBytes = FIRST_GROUP_BYTES,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Writes a span that has ended; one that cannot be written leaves nothing behind and throws. */
  add(span: ReadableSpan): void {
    let scopes = this.groups.get(span.resource);
    if (scopes === undefined) this.groups.set(span.resource, (scopes = new Map()));
    let writer = scopes.get(span.instrumentationScope);
    if (writer === undefined) {
      // Room for a whole batch from the start saves copying it as it grows.
      const size = this.count === 0 ? Math.min(Math.max(this.expectedBytes, FIRST_GROUP_BYTES), MAX_EXPECTED_BYTES) : FIRST_GROUP_BYTES;
      scopes.set(span.instrumentationScope, (writer = new ProtoWriter(size)));
    }
    const start = writer.length;
    try {
      writeSpan(writer, span, this.cache);
    } catch (error) {
      writer.truncate(start);
      throw error;
    }
    this.count++;
  }

  /** The resources of the spans written; host and process attributes may still be under detection. */
  resources(): Iterable<Resource> {
    return this.groups.keys();
  }

  /** The request body. */
  finish(): Buffer {
    let length = 0;
    for (const scopes of this.groups.values()) for (const spans of scopes.values()) length += spans.length;
    const writer = new ProtoWriter(length + 1024);
    // The length fields reserved for what the spans will make (plus a resource and a scope) keep
    // the spans' bytes from being moved once they are known.
    const reserve = varintSize(length + 1024);
    for (const [resource, scopes] of this.groups) {
      const resourceSpans = writer.begin(1, reserve);
      const resourceMessage = writer.begin(1);
      writeAttributes(writer, 1, resource.attributes);
      writer.end(resourceMessage);
      for (const [scope, spans] of scopes) {
        const scopeSpans = writer.begin(2, reserve);
        const scopeMessage = writer.begin(1);
        writer.string(1, scope.name);
        if (scope.version !== undefined) writer.string(2, scope.version);
        writer.end(scopeMessage);
        writer.bytes(spans.finish());
        writer.end(scopeSpans, reserve);
      }
      writer.end(resourceSpans, reserve);
    }
    return writer.finish();
  }
}

/** Where a resource and scope's spans start: a few dozen spans, then it doubles as needed. */
const FIRST_GROUP_BYTES = 16 * 1024;
/** A batch of unusually large spans does not make every later batch start this big. */
const MAX_EXPECTED_BYTES = 1024 * 1024;

// The API numbers span kinds from INTERNAL = 0; OTLP reserves 0 for "unspecified".
const KIND: Record<SpanKind, number> = {
  [SpanKind.INTERNAL]: 1,
  [SpanKind.SERVER]: 2,
  [SpanKind.CLIENT]: 3,
  [SpanKind.PRODUCER]: 4,
  [SpanKind.CONSUMER]: 5,
};

/** Length bytes reserved for a span: most spans take between 128 bytes and 16 KiB. */
const SPAN_LENGTH_BYTES = 2;

function writeSpan(writer: ProtoWriter, span: ReadableSpan, cache: AttributeCache): void {
  const message = writer.begin(2, SPAN_LENGTH_BYTES);
  const context = span.spanContext();
  // Vigil's own HTTP spans keep their ids' bytes and their times as epoch milliseconds.
  const httpSpan = span instanceof HttpSpan ? span : undefined;
  const idBytes = httpSpan === undefined ? undefined : spanIdBytes(httpSpan.ids);
  if (httpSpan !== undefined && idBytes !== undefined) {
    writer.copiedBytes(1, idBytes, httpSpan.ids.at, 16);
    writer.copiedBytes(2, idBytes, httpSpan.ids.at + 16, 8);
  } else {
    writer.hexBytes(1, context.traceId, 16);
    writer.hexBytes(2, context.spanId, 8);
  }
  const traceState = context.traceState?.serialize();
  if (traceState) writer.string(3, traceState);
  const parent = span.parentSpanContext?.spanId;
  if (parent) writer.hexBytes(4, parent, 8);
  writer.string(5, span.name);
  writer.varintField(6, KIND[span.kind]);
  if (httpSpan !== undefined) {
    writer.fixed64Millis(7, httpSpan.startEpochMs);
    writer.fixed64Millis(8, httpSpan.endEpochMs);
  } else {
    writer.fixed64Time(7, span.startTime);
    writer.fixed64Time(8, span.endTime);
  }
  for (const key in span.attributes) {
    const value = span.attributes[key];
    if (value === undefined || value === null) continue;
    const encoded = typeof value === 'object' ? undefined : cache.get(key, value);
    if (encoded !== undefined) writer.bytes(encoded);
    else writeKeyValue(writer, SPAN_ATTRIBUTES, key, value);
  }
  if (span.droppedAttributesCount > 0) writer.varintField(10, span.droppedAttributesCount);
  for (const event of span.events) {
    const eventMessage = writer.begin(11);
    writer.fixed64Time(1, event.time);
    writer.string(2, event.name);
    if (event.attributes) writeAttributes(writer, 3, event.attributes);
    writer.end(eventMessage);
  }
  if (span.droppedEventsCount > 0) writer.varintField(12, span.droppedEventsCount);
  for (const link of span.links) {
    const linkMessage = writer.begin(13);
    writer.hexBytes(1, link.context.traceId, 16);
    writer.hexBytes(2, link.context.spanId, 8);
    if (link.attributes) writeAttributes(writer, 4, link.attributes);
    writer.end(linkMessage);
  }
  if (span.droppedLinksCount > 0) writer.varintField(14, span.droppedLinksCount);
  if (span.status.code !== 0 || span.status.message) {
    const status = writer.begin(15);
    if (span.status.message) writer.string(2, span.status.message);
    writer.varintField(3, span.status.code);
    writer.end(status);
  }
  writer.end(message, SPAN_LENGTH_BYTES);
}

function writeAttributes(writer: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined && value !== null) writeKeyValue(writer, field, key, value);
  }
}

function writeKeyValue(writer: ProtoWriter, field: number, key: string, value: AttributeValue): void {
  const keyValue = writer.begin(field);
  writer.string(1, key);
  const anyValue = writer.begin(2);
  writeAnyValue(writer, value);
  writer.end(anyValue);
  writer.end(keyValue);
}

/** Span.attributes in trace.proto. */
const SPAN_ATTRIBUTES = 9;
const CACHED_KEYS = 128;
const CACHED_VALUES_PER_KEY = 32;

/**
 * Span attributes encoded once per distinct key and value: across a service's spans the same few
 * keys carry the same few values (methods, routes, status codes), and copying their bytes costs a
 * fraction of encoding them. Bounded in keys and in values per key, so attributes unique to one
 * request (an id in a path) are encoded directly once their key has used its share.
 */
export class AttributeCache {
  private readonly byKey = new Map<string, CachedKey>();

  /** The encoded span attribute, or undefined when the cache is full for it. */
  get(key: string, value: string | number | boolean): Uint8Array | undefined {
    let cached = this.byKey.get(key);
    if (cached === undefined) {
      if (this.byKey.size >= CACHED_KEYS) return undefined;
      this.byKey.set(key, (cached = { values: new Map(), lastValue: undefined, lastEncoded: undefined }));
    }
    // Most keys carry the value they carried last time (a method, a status): one comparison instead of a lookup.
    if (cached.lastValue === value) return cached.lastEncoded;
    let encoded = cached.values.get(value);
    if (encoded === undefined) {
      if (cached.values.size >= CACHED_VALUES_PER_KEY) return undefined;
      const writer = new ProtoWriter(key.length + 32);
      writeKeyValue(writer, SPAN_ATTRIBUTES, key, value);
      encoded = Uint8Array.from(writer.finish());
      cached.values.set(value, encoded);
    }
    cached.lastValue = value;
    cached.lastEncoded = encoded;
    return encoded;
  }
}

interface CachedKey {
  readonly values: Map<string | number | boolean, Uint8Array>;
  lastValue: string | number | boolean | undefined;
  lastEncoded: Uint8Array | undefined;
}

function writeAnyValue(writer: ProtoWriter, value: AttributeValue | null | undefined): void {
  if (typeof value === 'string') writer.string(1, value);
  else if (typeof value === 'boolean') writer.varintField(2, value ? 1 : 0);
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) writer.double(4, value);
    else if (value >= 0) writer.varintField(3, value);
    else writer.negativeIntField(3, value);
  } else if (Array.isArray(value)) {
    const array = writer.begin(5);
    for (const item of value) {
      const itemMessage = writer.begin(1);
      writeAnyValue(writer, item);
      writer.end(itemMessage);
    }
    writer.end(array);
  }
}

/**
 * A growable buffer for the protobuf wire format. Nested messages reserve bytes for their length
 * (one unless the caller expects a longer message) and move their contents only when the length
 * turns out to need another number of bytes.
 */
class ProtoWriter {
  private buffer: Buffer;
  private position = 0;

  constructor(initialSize: number) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Starts a length-delimited field; pass the result, and the same `reserved`, to end(). */
  begin(field: number, reserved = 1): number {
    this.tag(field, 2);
    this.ensure(reserved);
    const lengthAt = this.position;
    this.position += reserved;
    return lengthAt;
  }

  end(lengthAt: number, reserved = 1): void {
    const length = this.position - lengthAt - reserved;
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buffer.copyWithin(lengthAt + size, lengthAt + reserved, this.position);
      this.position += size - reserved;
    }
    const end = this.position;
    this.position = lengthAt;
    this.varint(length);
    this.position = end;
  }

  string(field: number, value: string): void {
    if (value.length < 128 && this.asciiString(field, value)) return;
    const length = Buffer.byteLength(value);
    this.tag(field, 2);
    this.varint(length);
    this.ensure(length);
    this.position += this.buffer.write(value, this.position, length, 'utf8');
  }

  /**
   * Short ASCII strings (attribute keys, methods, paths) written byte by byte: cheaper than the two
   * native calls of the general path. Returns false, having written nothing, at the first non-ASCII character.
   */
  private asciiString(field: number, value: string): boolean {
    const start = this.position;
    this.tag(field, 2);
    this.ensure(value.length + 1);
    // Locals rather than fields in the loop: V8 would reload both on every byte.
    const buffer = this.buffer;
    let at = this.position;
    buffer[at++] = value.length;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code > 127) {
        this.position = start;
        return false;
      }
      buffer[at++] = code;
    }
    this.position = at;
    return true;
  }

  /**
   * Trace and span ids, which the SDK keeps as hex strings that propagators have already checked,
   * decoded here in a loop: Buffer's hex decoding is a native call per id, three per span.
   */
  hexBytes(field: number, hex: string, length: number): void {
    this.tag(field, 2);
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    const at = this.position;
    for (let i = 0; i < length; i++) buffer[at + i] = HEX_PAIR_VALUE[((hex.charCodeAt(2 * i) & 127) << 7) | (hex.charCodeAt(2 * i + 1) & 127)]!;
    this.position += length;
  }

  /** A bytes field copied from `source`, byte by byte: for the few bytes of an id, cheaper than a native copy. */
  copiedBytes(field: number, source: Uint8Array, from: number, length: number): void {
    this.tag(field, 2);
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    const at = this.position;
    for (let i = 0; i < length; i++) buffer[at + i] = source[from + i]!;
    this.position += length;
  }

  bytes(encoded: Uint8Array): void {
    this.ensure(encoded.length);
    this.buffer.set(encoded, this.position);
    this.position += encoded.length;
  }

  varintField(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  /** int64 below zero: ten bytes of two's complement, rare enough for BigInt. */
  negativeIntField(field: number, value: number): void {
    this.tag(field, 0);
    this.ensure(10);
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest > 127n) {
      this.buffer[this.position++] = Number(rest & 127n) | 128;
      rest >>= 7n;
    }
    this.buffer[this.position++] = Number(rest);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.ensure(8);
    this.position = this.buffer.writeDoubleLE(value, this.position);
  }

  /**
   * Epoch milliseconds as fixed64 nanoseconds, to the nearest nanosecond. No `%` here or below: on
   * doubles it is a call to fmod, and four of them were a quarter of what encoding a span cost.
   */
  fixed64Millis(field: number, epochMs: number): void {
    // The division cannot round up to a whole second (1000 is no power of two), and the difference
    // of two doubles this close is exact.
    const seconds = Math.floor(epochMs / 1000);
    this.fixed64Nanos(field, seconds, Math.round((epochMs - seconds * 1000) * 1e6));
  }

  fixed64Time(field: number, [seconds, nanos]: HrTime): void {
    this.fixed64Nanos(field, seconds, nanos);
  }

  /** Nanoseconds since the epoch as fixed64, computed exactly although they exceed 2^53. */
  private fixed64Nanos(field: number, seconds: number, nanos: number): void {
    this.tag(field, 1);
    this.ensure(8);
    // As 1e9 = 1953125 * 2^9, seconds * 1953125 is an exact double; its bits from the 23rd up are the
    // high word, and the rest, shifted by 9 and plus the nanoseconds, the low word and one carry at most.
    const scaled = seconds * 1953125;
    const high = Math.floor(scaled / 8388608);
    const low = (scaled - high * 8388608) * 512 + nanos;
    const carry = low >= 4294967296 ? 1 : 0;
    this.uint32(low - carry * 4294967296);
    this.uint32(high + carry);
  }

  /** Little-endian, as fixed64 wants; written byte by byte, cheaper than Buffer's checked writer. */
  private uint32(value: number): void {
    const buffer = this.buffer;
    const at = this.position;
    buffer[at] = value;
    buffer[at + 1] = value >>> 8;
    buffer[at + 2] = value >>> 16;
    buffer[at + 3] = value >>> 24;
    this.position = at + 4;
  }

  get length(): number {
    return this.position;
  }

  /** Forgets everything written after the first `length` bytes. */
  truncate(length: number): void {
    this.position = length;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (value < 128 && this.position < this.buffer.length) {
      this.buffer[this.position++] = value;
      return;
    }
    this.ensure(10);
    while (value > 127) {
      this.buffer[this.position++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.buffer[this.position++] = value;
  }

  private ensure(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + bytes));
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }
}

/** Two hex digits (their 7-bit codes side by side) to the byte they spell; ids reach the encoder checked, as hex. */
const HEX_PAIR_VALUE = new Uint8Array(128 * 128);
for (const high of '0123456789abcdefABCDEF') {
  for (const low of '0123456789abcdefABCDEF') {
    HEX_PAIR_VALUE[(high.charCodeAt(0) << 7) | low.charCodeAt(0)] = Number.parseInt(high + low, 16);
  }
}

function varintSize(value: number): number {
  let size = 1;
  while (value > 127) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}
