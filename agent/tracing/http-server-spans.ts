import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, propagation, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** Makes `context` current for the rest of the running code and what it schedules. */
export type EnterContext = (context: Context) => void;

export interface HttpServerSpansOptions {
  readonly tracer: Tracer;
  readonly enter: EnterContext;
  /** Requests to these servers (the agent's own) are not traced. */
  readonly ignoreServer: (server: Server) => boolean;
}

export interface HttpServerSpans {
  /** The trace id of the request's server span when that span is sampled (and so will be stored). */
  traceIdOf(request: IncomingMessage): string | undefined;
  stop(): void;
}

const REQUEST_START = 'http.server.request.start';

/**
 * Most requests that reach a service from outside carry none of the propagated headers; running
 * every propagator over them would only allocate. Jaeger's `uberctx-` baggage is read only together
 * with one of these.
 */
function carriesContext(headers: IncomingHttpHeaders): boolean {
  return headers.traceparent !== undefined || headers.baggage !== undefined || headers['uber-trace-id'] !== undefined || headers['x-vigil-traffic'] !== undefined;
}
const SERVER_SPAN = Symbol('vigil.serverSpan');
type TracedRequest = IncomingMessage & { [SERVER_SPAN]?: Span };

/**
 * One server span per inbound request of every node:http server, seen through Node's diagnostics
 * channel, which fires just before the application's request listener runs. Entering the span's
 * context there makes it the parent of everything the handler does, without wrapping the server's
 * emit or the response's methods as the generic instrumentation does: that wrapping is most of
 * what tracing costs on a small route. Frameworks (Express, Fastify) fill in the route template
 * through the RPC metadata the span's context carries.
 */
export function traceHttpServers({ tracer, enter, ignoreServer }: HttpServerSpansOptions): HttpServerSpans {
  const onRequestStart = (message: unknown) => {
    const { request, response, server } = message as RequestStartMessage;
    if (ignoreServer(server)) return;
    const parent = carriesContext(request.headers) ? propagation.extract(ROOT_CONTEXT, request.headers) : ROOT_CONTEXT;
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': method,
          'url.path': query === -1 ? url : url.slice(0, query),
          'network.protocol.version': request.httpVersion,
        },
      },
      parent,
    );
    const metadata: RPCMetadata = { type: RPCType.HTTP, span };
    enter(setRPCMetadata(trace.setSpan(parent, span), metadata));
    (request as TracedRequest)[SERVER_SPAN] = span;
    if (!span.isRecording()) return;
    response.once('close', () => {
      const status = response.statusCode;
      if (metadata.route !== undefined) {
        span.updateName(`${method} ${metadata.route}`);
        span.setAttribute('http.route', metadata.route);
      }
      if (!response.writableFinished) {
        span.setAttribute('error.type', 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was sent' });
      } else {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) {
          span.setAttribute('error.type', String(status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    });
  };

  diagnostics.subscribe(REQUEST_START, onRequestStart);
  return {
    traceIdOf(request) {
      const spanContext = (request as TracedRequest)[SERVER_SPAN]?.spanContext();
      return spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext.traceId : undefined;
    },
    stop: () => diagnostics.unsubscribe(REQUEST_START, onRequestStart),
  };
}
