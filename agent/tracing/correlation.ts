import { context, trace } from '../otel-api';

/**
 * The trace id of the span active in the current async context, for crash capture to attach to an
 * event; undefined outside a traced request or when tracing is off.
 */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
