import type {
  AttributeValue,
  Attributes,
  Context,
  Exception,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanStatus,
  TimeInput,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Sampler, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SamplingDecision,
  SpanStatusCode,
  TraceFlags,
  diag,
  hrTime,
  hrTimeDuration,
  hrTimeToMilliseconds,
  isAttributeValue,
  isSpanContextValid,
  isTimeInput,
  isTracingSuppressed,
  millisToHrTime,
  sanitizeAttributes,
  timeInputToHrTime,
  trace,
  type SpanKind,
} from '../otel-api';
import { epochMillisNow } from '../clock';
import type { PooledIdGenerator, SpanIds } from './id-generator';

export type ResolvedSpanLimits = Required<Pick<SpanLimits, 'attributeCountLimit' | 'attributeValueLengthLimit' | 'eventCountLimit' | 'linkCountLimit'>>;

/** The SDK's defaults, given to the provider too so that every span of the process has the same limits. */
export const SPAN_LIMITS: ResolvedSpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
});

export interface HttpSpanStarterOptions {
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly sampler: Sampler;
  readonly idGenerator: PooledIdGenerator;
  /** The provider's processors, in its order. */
  readonly processors: readonly SpanProcessor[];
  /** As the provider's option of the same name. */
  readonly spanLimits?: ResolvedSpanLimits;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});
const NO_LINKS: Link[] = [];

/**
 * Starts the server and client spans of HTTP calls, the two spans nearly every traced request has.
 * It decides as the SDK's tracer does (suppression, parent, sampler, ids, processors) but builds
 * an HttpSpan, which records with plain fields: on a small route the SDK's generic span (attribute
 * sanitising at start and at every set, time corrections, a metrics hook) was most of what
 * tracing cost. Everything else the service traces goes through the SDK's tracer as before.
 */
export class HttpSpanStarter {
  private readonly limits: ResolvedSpanLimits;

  constructor(private readonly options: HttpSpanStarterOptions) {
    this.limits = options.spanLimits ?? SPAN_LIMITS;
  }

  /**
   * `attributes` is an object the caller made for this span alone, with valid values; the span keeps
   * it as its own. They are not shown to the sampler: Vigil's samplers decide on the trace id alone.
   */
  start(name: string, kind: SpanKind, parent: Context, attributes: Attributes): Span {
    // Most server spans start from the root context, which holds nothing: no need to look.
    const root = parent === ROOT_CONTEXT;
    if (!root && isTracingSuppressed(parent)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const { sampler, idGenerator, processors } = this.options;
    const parentSpan = root ? undefined : trace.getSpanContext(parent);
    const validParent = parentSpan !== undefined && isSpanContextValid(parentSpan) ? parentSpan : undefined;
    const ids = idGenerator.takeSpanIds(validParent?.traceId);
    const sampling = sampler.shouldSample(parent, ids.traceId, name, kind, NO_ATTRIBUTES, NO_LINKS);
    const spanContext: SpanContext = {
      traceId: ids.traceId,
      spanId: ids.spanId,
      traceFlags: sampling.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: sampling.traceState ?? validParent?.traceState,
    };
    if (sampling.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new HttpSpan(name, kind, spanContext, ids, validParent, this.options.resource, this.options.scope, processors, this.limits, attributes);
    if (sampling.attributes !== undefined) span.setAttributes(sampling.attributes);
    for (const processor of processors) processor.onStart(span, parent);
    return span;
  }
}

/** A recording span with the SDK span's behaviour and limits, kept in plain fields. */
export class HttpSpan implements Span, ReadableSpan {
  // Epoch milliseconds: a double keeps them to a quarter of a microsecond, and reading the clock
  // this way costs a fraction of building an HrTime twice per span. Vigil's encoder reads them as
  // they are; other exporters get HrTimes from startTime and endTime.
  readonly startEpochMs = epochMillisNow();
  private endedAtEpochMs = 0;
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  readonly links: Link[] = [];
  readonly events: TimedEvent[] = [];
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributesCount = 0;

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    /** Where the bytes of the context's ids were cut, for the OTLP encoder. */
    readonly ids: SpanIds,
    readonly parentSpanContext: SpanContext | undefined,
    readonly resource: Resource,
    readonly instrumentationScope: InstrumentationScope,
    private readonly processors: readonly SpanProcessor[],
    private readonly limits: ResolvedSpanLimits,
    readonly attributes: Attributes,
  ) {
    for (const key in attributes) {
      if (this.attributesCount >= limits.attributeCountLimit) {
        delete attributes[key];
        this.droppedAttributesCount++;
        continue;
      }
      this.attributesCount++;
      // Stored only when it can change: a store under a key known only at run time is not free.
      if (limits.attributeValueLengthLimit !== Infinity) attributes[key] = truncate(attributes[key]!, limits.attributeValueLengthLimit);
    }
  }

  /** 0 until the span ends. */
  get endEpochMs(): number {
    return this.endedAtEpochMs;
  }

  get startTime(): HrTime {
    return millisToHrTime(this.startEpochMs);
  }

  get endTime(): HrTime {
    return this.ended ? millisToHrTime(this.endEpochMs) : [0, 0];
  }

  get duration(): HrTime {
    return hrTimeDuration(this.startTime, this.endTime);
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.ended || value === undefined || value === null || key.length === 0) return this;
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const isNew = !Object.hasOwn(this.attributes, key);
    if (isNew && this.attributesCount >= this.limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = truncate(value, this.limits.attributeValueLengthLimit);
    if (isNew) this.attributesCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    if (!this.roomFor(this.events, this.limits.eventCountLimit)) {
      this.droppedEventsCount++;
      return this;
    }
    const attributes = isTimeInput(attributesOrTime) ? undefined : attributesOrTime;
    const at = isTimeInput(attributesOrTime) ? attributesOrTime : time;
    this.events.push({ name, attributes: this.limited(attributes), time: at === undefined ? hrTime() : timeInputToHrTime(at), droppedAttributesCount: 0 });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (!this.roomFor(this.links, this.limits.linkCountLimit)) {
      this.droppedLinksCount++;
      return this;
    }
    this.links.push(link.attributes === undefined ? { context: link.context } : { context: link.context, attributes: this.limited(link.attributes) });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // OK is final, and UNSET never overrides: the SDK's rules.
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      const { code, name, message, stack } = exception as { code?: string | number; name?: string; message?: string; stack?: string };
      if (code) attributes['exception.type'] = String(code);
      else if (name) attributes['exception.type'] = name;
      if (message) attributes['exception.message'] = message;
      if (stack) attributes['exception.stacktrace'] = stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    const endEpochMs = endTime === undefined ? epochMillisNow() : hrTimeToMilliseconds(timeInputToHrTime(endTime));
    this.endedAtEpochMs = Math.max(endEpochMs, this.startEpochMs);
    this.ended = true;
    for (const processor of this.processors) processor.onEnd(this);
  }

  /**
   * Whether one more event or link fits; past the limit the oldest makes room, as in the SDK,
   * and counts as dropped.
   */
  private roomFor(list: unknown[], limit: number): boolean {
    if (limit <= 0) return false;
    if (list.length < limit) return true;
    list.shift();
    if (list === this.events) this.droppedEventsCount++;
    else this.droppedLinksCount++;
    return true;
  }

  private limited(attributes: Attributes | undefined): Attributes {
    const sanitized = sanitizeAttributes(attributes);
    for (const key in sanitized) sanitized[key] = truncate(sanitized[key]!, this.limits.attributeValueLengthLimit);
    return sanitized;
  }
}

function truncate(value: AttributeValue, limit: number): AttributeValue {
  if (limit === Infinity) return value;
  if (typeof value === 'string') return value.slice(0, limit);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item.slice(0, limit) : item)) as AttributeValue;
  return value;
}
