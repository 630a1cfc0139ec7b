import { forEachEnvelopeItem, makeOfflineTransport, type Envelope, type Event, type Transport } from '@sentry/core';
import type { makeNodeTransport } from '@sentry/node';
import { asAgentCall } from '../http/own-calls';
import { KIND_TAG } from './event-context';

type TransportFactory = typeof makeNodeTransport;

/** The `reason` label of vigil_crash_events_dropped_total. */
export type DropReason = 'rate_limited' | 'queue_full' | 'not_sent' | 'rejected' | 'left_at_shutdown';

/** What became of the events the transport was given. */
export interface Delivery {
  /** Sentry took an event of this kind. */
  accepted(kind: string): void;
  /** Sentry could not be reached; the event waits in the queue for the next try. */
  unreachable(error: Error): void;
  /** Events given up on. */
  dropped(reason: DropReason, count: number, detail?: string): void;
}

export interface CrashTransport {
  /** What Sentry.init() takes as `transport`. */
  readonly make: TransportFactory;
  /** How many events wait for a retry. */
  queued(): number;
}

/**
 * Sentry's HTTP transport with what the agent needs around it:
 * - its requests made as the agent's own calls: an event is sent from the async context it was
 *   captured in, so the POST to Sentry would otherwise join the failing request's trace as a span
 *   the service never made, and count among the service's outbound calls;
 * - retries with backoff (Sentry's offline transport: 5 s, doubling up to an hour) from a queue in
 *   memory of at most `maxQueued` events, while Sentry cannot be reached;
 * - each outcome reported, for the agent's own metrics.
 */
export function crashTransport(make: TransportFactory, delivery: Delivery, maxQueued: number): CrashTransport {
  const queue: Envelope[] = [];
  const keep = (envelope: Envelope, put: (envelope: Envelope) => void) => {
    if (queue.length < maxQueued) put(envelope);
    else if (eventKind(envelope) !== undefined) delivery.dropped('queue_full', 1);
  };
  const store = {
    push: async (envelope: Envelope) => keep(envelope, (item) => queue.push(item)),
    unshift: async (envelope: Envelope) => keep(envelope, (item) => queue.unshift(item)),
    shift: async () => queue.shift(),
  };

  const attempt: TransportFactory = (options) => {
    const transport = make(options);
    return {
      ...transport,
      async send(envelope) {
        const kind = eventKind(envelope);
        let result: Awaited<ReturnType<Transport['send']>>;
        try {
          result = await asAgentCall(() => transport.send(envelope));
        } catch (error) {
          if (kind !== undefined) delivery.unreachable(error as Error);
          throw error;
        }
        const status = result.statusCode;
        if (kind === undefined) return result;
        if (status !== undefined && status >= 200 && status < 300) delivery.accepted(kind);
        // Without a status Sentry's client held the event back itself (rate-limit backoff, full request buffer).
        else if (status === undefined) delivery.dropped('not_sent', 1);
        else delivery.dropped('rejected', 1, `answers ${status}`);
        return result;
      },
    };
  };
  const offline = makeOfflineTransport(attempt);
  return {
    make: (options) => offline({ ...options, createStore: () => store }),
    queued: () => queue.length,
  };
}

/** The `crash.kind` tag of the event an envelope carries; undefined when it carries none. */
function eventKind(envelope: Envelope): string | undefined {
  let kind: string | undefined;
  forEachEnvelopeItem(envelope, (item, type) => {
    if (type !== 'event') return;
    const tag = (item[1] as Event).tags?.[KIND_TAG];
    kind = typeof tag === 'string' ? tag : 'other';
  });
  return kind;
}
