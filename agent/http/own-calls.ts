import { AsyncLocalStorage } from 'node:async_hooks';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Marks the agent's own calls in their async context. A store of its own rather than an
 * OpenTelemetry context key: OpenTelemetry's context propagates only while tracing is on, and
 * metrics must tell the agent's calls apart with tracing off too.
 */
const agentCalls = new AsyncLocalStorage<true>();

/**
 * Runs `call`, an outbound call the agent makes for itself (a span export, a profile push, a crash
 * report), where neither tracing nor the outbound-call metrics see it: the calls are not the
 * service's, and traced, each export would feed the next.
 */
export function asAgentCall<T>(call: () => T): T {
  return agentCalls.run(true, () => context.with(suppressTracing(context.active()), call));
}

/** Whether the code running now was started by `asAgentCall`. */
export function isAgentCall(): boolean {
  return agentCalls.getStore() === true;
}
