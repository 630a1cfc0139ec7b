import type { Diag } from '../diag';
import type { MetricsRegistry } from '../metrics/registry';
import type { Delivery } from './transport';

export const CrashMetricNames = {
  events: 'vigil_crash_events_total',
  dropped: 'vigil_crash_events_dropped_total',
} as const;

/**
 * Counts what became of crash events in the agent's own metrics, and says on stderr when sending
 * to Sentry changes state: working, unreachable (events wait for a retry), refused.
 */
export function deliveryMetrics(registry: MetricsRegistry, diag: Diag, destination: string, maxQueued: number): Delivery {
  const sent = registry.counter<'kind'>({ name: CrashMetricNames.events, help: 'Crash events Sentry accepted.', labelNames: ['kind'] });
  const dropped = registry.counter<'reason'>({ name: CrashMetricNames.dropped, help: 'Crash events that did not reach Sentry.', labelNames: ['reason'] });
  return {
    accepted(kind) {
      sent.inc({ kind });
      diag.state('crash.send', 'ok', `crash capture: Sentry at ${destination} takes events`);
    },
    unreachable(error) {
      diag.state(
        'crash.send',
        'unreachable',
        `crash capture: Sentry at ${destination} cannot be reached (${error.message}); events wait in memory (at most ${maxQueued}) and are retried with backoff`,
      );
    },
    dropped(reason, count, detail) {
      dropped.inc({ reason }, count);
      if (reason === 'rejected') diag.state('crash.send', 'rejected', `crash capture: Sentry at ${destination} ${detail ?? 'refuses events'}; they are dropped and counted in ${CrashMetricNames.dropped}`);
    },
  };
}
