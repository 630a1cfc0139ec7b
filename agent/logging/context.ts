import { context, isSpanContextValid, propagation, trace } from '../otel-api';
import { TRAFFIC_BAGGAGE_KEY } from '../traffic';

type ContextFields = Record<string, string>;

/**
 * Reads the request's trace and traffic from OpenTelemetry's active context. Through the API alone,
 * so it works with tracing on (ids appear) and off (the API's no-op context carries none).
 */
export class RecordContext {
  private shadow = false;

  /** pino's mixin: runs synchronously inside every log call, just before the line is written. pino merges into the result, so it is a fresh object each time. */
  readonly mixin = (): ContextFields => {
    const active = context.active();
    this.shadow = propagation.getBaggage(active)?.getEntry(TRAFFIC_BAGGAGE_KEY)?.value === 'shadow';
    const span = trace.getSpanContext(active);
    const fields: ContextFields = {};
    if (span !== undefined && isSpanContextValid(span)) {
      fields['trace.id'] = span.traceId;
      fields['span.id'] = span.spanId;
    }
    if (this.shadow) fields['labels.traffic'] = 'shadow';
    return fields;
  };

  /** Whether the line being written belongs to shadow traffic; set by the mixin of the same log call. */
  lineIsShadow(): boolean {
    const shadow = this.shadow;
    this.shadow = false;
    return shadow;
  }
}
