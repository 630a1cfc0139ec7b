// What every event is given: identity tags, the OpenTelemetry trace of the capture, log breadcrumbs, its kind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Event, EventHint } from '@sentry/node';
import { eventContextIntegration } from '../../../dist/agent/crash/event-context.js';
import { LogTail } from '../../../dist/agent/crash/log-tail.js';

const identity = { service: 'songs', version: '1.4.0', environment: 'prod', tier: 2 as const, attributes: {} };
const span = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };

function enrich(event: Event, hint: EventHint = {}, origin?: string): Event {
  const tail = new LogTail();
  tail.push(JSON.stringify({ message: 'before the error', 'log.level': 'info' }));
  const integration = eventContextIntegration({ identity, tail, originOf: () => origin });
  return integration.processEvent!(event, hint, undefined as never) as Event;
}

describe('event context', () => {
  before(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  after(() => context.disable());

  it('tags the service identity and the trace of the span active at capture, with its span id', () => {
    const event = context.with(trace.setSpanContext(context.active(), span), () =>
      enrich({ event_id: 'e', contexts: { trace: { trace_id: 'f'.repeat(32), span_id: 'sentryownspanid0' } } }),
    );
    assert.deepEqual(event.tags, {
      'service.name': 'songs',
      'service.version': '1.4.0',
      'deployment.environment': 'prod',
      'service.tier': '2',
      'crash.kind': 'other',
      trace_id: span.traceId,
    });
    assert.deepEqual(event.contexts?.trace, { trace_id: span.traceId, span_id: span.spanId });
    assert.deepEqual(event.breadcrumbs?.map((crumb) => crumb.message), ['before the error']);
  });

  it('keeps a trace id set at capture over the active span, and drops a span id of another trace', () => {
    const event = enrich({ event_id: 'e', tags: { trace_id: span.traceId }, contexts: { trace: { trace_id: 'f'.repeat(32), span_id: 'sentryownspanid0' } } });
    assert.equal(event.tags?.trace_id, span.traceId);
    assert.deepEqual(event.contexts?.trace, { trace_id: span.traceId });
  });

  it('leaves Sentry’s own trace context alone outside any traced request', () => {
    const event = enrich({ event_id: 'e', contexts: { trace: { trace_id: 'f'.repeat(32), span_id: 'sentryownspanid0' } } });
    assert.equal(event.tags?.trace_id, undefined);
    assert.deepEqual(event.contexts?.trace, { trace_id: 'f'.repeat(32), span_id: 'sentryownspanid0' });
  });

  it('names the kind after the mechanism and the origin Node reported', () => {
    const uncaught = { event_id: 'e', exception: { values: [{ mechanism: { type: 'auto.node.onuncaughtexception', handled: false } }] } };
    assert.equal(enrich(structuredClone(uncaught), {}, 'uncaughtException').tags?.['crash.kind'], 'uncaught_exception');
    assert.equal(enrich(structuredClone(uncaught), {}, 'unhandledRejection').tags?.['crash.kind'], 'unhandled_rejection');
    const rejection = { event_id: 'e', exception: { values: [{ mechanism: { type: 'auto.node.onunhandledrejection', handled: false } }] } };
    assert.equal(enrich(rejection).tags?.['crash.kind'], 'unhandled_rejection');
    assert.equal(enrich({ event_id: 'e', tags: { 'crash.kind': 'http_5xx' } }).tags?.['crash.kind'], 'http_5xx');
  });
});
