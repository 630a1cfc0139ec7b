import { trace } from '@opentelemetry/api';
import type { addIntegration, Event, EventHint } from '@sentry/node';
import type { ServiceIdentity } from '../config/options';
import { TAIL_LINES, type LogTail } from './log-tail';

export type Integration = Parameters<typeof addIntegration>[0];

/** The `kind` label of vigil_crash_events_total, also set on the event as the `crash.kind` tag. */
export type CrashKind = 'uncaught_exception' | 'unhandled_rejection' | 'http_5xx' | 'other';
export const KIND_TAG = 'crash.kind';
export const TRACE_ID_TAG = 'trace_id';
/** The mechanism of events this component captures itself, for 5xx responses. */
export const HTTP_MECHANISM = 'auto.http.vigil';

/** The service identity as tags, under the names every other Vigil signal uses. */
export function identityTags(identity: ServiceIdentity): Record<string, string> {
  return {
    'service.name': identity.service,
    'service.version': identity.version,
    'deployment.environment': identity.environment,
    'service.tier': String(identity.tier),
  };
}

export interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * The OpenTelemetry span active where an error is caught; its trace id is the one tracing exports
 * (see activeTraceId in tracing/correlation.ts), and its span id tells which operation failed.
 */
export function activeSpanIds(): SpanIds | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : undefined;
}

export interface EventContextOptions {
  readonly identity: ServiceIdentity;
  readonly tail: LogTail;
  /** How Node reported a fatal error: "uncaughtException", or "unhandledRejection" when it ended a promise. */
  readonly originOf: (error: unknown) => string | undefined;
}

/**
 * Gives every event what links it to Vigil's other signals: the service identity, the trace id of
 * the OpenTelemetry span that was active where the error happened (Sentry runs without tracing
 * here, so its own trace id would lead nowhere), and the latest log lines as breadcrumbs.
 * It runs as the first event processor, in the async context of the capture.
 */
export function eventContextIntegration({ identity, tail, originOf }: EventContextOptions): Integration {
  return {
    name: 'VigilEventContext',
    processEvent(event: Event, hint: EventHint): Event {
      const tags: Record<string, unknown> = { ...identityTags(identity), [KIND_TAG]: crashKind(event, hint, originOf), ...event.tags };
      const active = activeSpanIds();
      const traceId = typeof tags[TRACE_ID_TAG] === 'string' ? tags[TRACE_ID_TAG] : active?.traceId;
      event.tags = tags as Event['tags'];
      if (traceId !== undefined) {
        tags[TRACE_ID_TAG] = traceId;
        // The span id goes with the trace id only when both name the same span: Sentry's own would not.
        const current = event.contexts?.trace;
        const spanId = current?.trace_id === traceId ? current.span_id : active?.traceId === traceId ? active.spanId : undefined;
        const { span_id: _sentrySpanId, ...rest } = current ?? {};
        event.contexts = { ...event.contexts, trace: { ...rest, trace_id: traceId, ...(spanId === undefined ? {} : { span_id: spanId }) } as NonNullable<Event['contexts']>['trace'] };
      }
      event.breadcrumbs = [...(event.breadcrumbs ?? []), ...tail.breadcrumbs()].slice(-TAIL_LINES);
      return event;
    },
  };
}

function crashKind(event: Event, hint: EventHint, originOf: EventContextOptions['originOf']): CrashKind {
  const existing = event.tags?.[KIND_TAG];
  if (typeof existing === 'string') return existing as CrashKind;
  const mechanism = event.exception?.values?.at(-1)?.mechanism?.type ?? '';
  if (mechanism.endsWith('onunhandledrejection')) return 'unhandled_rejection';
  if (mechanism.endsWith('onuncaughtexception')) {
    return originOf(hint.originalException) === 'unhandledRejection' ? 'unhandled_rejection' : 'uncaught_exception';
  }
  if (mechanism === HTTP_MECHANISM) return 'http_5xx';
  return 'other';
}
