import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { makeNodeTransport } from '@sentry/node';

type TransportFactory = typeof makeNodeTransport;

/**
 * Sentry's transport with tracing suppressed for its requests. An event is sent from the async
 * context it was captured in, so without this the POST to Sentry would join the failing request's
 * trace as one more span, one that the service never made.
 */
export function untracedTransport(make: TransportFactory): TransportFactory {
  return (options) => {
    const transport = make(options);
    return { ...transport, send: (envelope) => context.with(suppressTracing(context.active()), () => transport.send(envelope)) };
  };
}
