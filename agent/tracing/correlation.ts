import { context, trace } from '@opentelemetry/api';
import type { Traffic } from '../traffic';
import { trafficOf } from './traffic';

export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * The ids of the span active in the current async context, for log lines and crash reports;
 * undefined outside any request or when tracing is off.
 */
export function activeTraceIds(): TraceIds | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const { traceId, spanId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? { traceId, spanId } : undefined;
}

/** The trace id crash capture attaches to an event, when the crash happened inside a traced request. */
export function activeTraceId(): string | undefined {
  return activeTraceIds()?.traceId;
}

/** The traffic colour of the current request, from the baggage tracing propagates. */
export function activeTraffic(): Traffic {
  return trafficOf(context.active());
}
