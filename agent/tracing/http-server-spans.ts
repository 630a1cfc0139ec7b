import type { Context, Span } from '@opentelemetry/api';
import type { RPCMetadata } from '@opentelemetry/core';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { carriesContextHeaders } from '../http/context-headers';
import { InFlightList, type InFlightEntry } from '../http/in-flight';
import { ROOT_CONTEXT, RPCType, SpanKind, SpanStatusCode, TraceFlags, propagation } from '../otel-api';
import { ContextWithSpan } from './context-with-span';
import type { HttpSpanStarter } from './http-span';

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** Makes `context` current for the rest of the running code and what it schedules. */
export type EnterContext = (context: Context) => void;

export interface HttpServerSpansOptions {
  readonly spans: HttpSpanStarter;
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
const RESPONSE_FINISH = 'http.server.response.finish';
/** How often recorded spans of requests the client abandoned are looked for and ended. */
const ABORTED_SWEEP_MS = 1000;
/** ...and whenever the number of recorded spans in flight passes a multiple of this. */
const SWEEP_EVERY = 1024;

const SERVER_SPAN = Symbol('vigil.serverSpan');
type TracedRequest = IncomingMessage & { [SERVER_SPAN]?: Span };

interface RecordedCall extends InFlightEntry<RecordedCall> {
  readonly span: Span;
  readonly method: string;
  readonly metadata: RPCMetadata;
}

const RECORDED_CALL = Symbol('vigil.recordedCall');
type TracedResponse = ServerResponse & { [RECORDED_CALL]?: RecordedCall };

/**
 * One server span per inbound request of every node:http server, seen through Node's diagnostics
 * channel, which fires just before the application's request listener runs. Entering the span's
 * context there makes it the parent of everything the handler does, without wrapping the server's
 * emit or the response's methods as the generic instrumentation does: that wrapping is most of
 * what tracing costs on a small route. Frameworks (Express, Fastify) fill in the route template
 * through the RPC metadata the span's context carries. A span ends on the response-finish channel
 * rather than a per-response listener; a request the client abandoned never finishes, so its span
 * is ended as aborted when a sweep of the spans in flight finds it, within a second.
 */
export function traceHttpServers({ spans, enter, ignoreServer }: HttpServerSpansOptions): HttpServerSpans {
  const inFlight = new InFlightList<RecordedCall>();
  const onRequestStart = (message: unknown) => {
    const { request, response, server } = message as RequestStartMessage;
    if (ignoreServer(server)) return;
    // Most requests from outside carry no context; running every propagator over them would only allocate.
    const parent = carriesContextHeaders(request) ? propagation.extract(ROOT_CONTEXT, request.headers) : ROOT_CONTEXT;
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const span = spans.start(method, SpanKind.SERVER, parent, {
      'http.request.method': method,
      'url.path': query === -1 ? url : url.slice(0, query),
      'network.protocol.version': request.httpVersion,
    });
    const metadata: RPCMetadata = { type: RPCType.HTTP, span };
    enter(new ContextWithSpan(parent, span, metadata));
    (request as TracedRequest)[SERVER_SPAN] = span;
    const call: RecordedCall | undefined = span.isRecording() ? { response, span, method, metadata, previous: undefined, next: undefined } : undefined;
    // Set on every response, recorded or not: on some only, V8 would see two shapes of response
    // wherever Node.js handles one.
    (response as TracedResponse)[RECORDED_CALL] = call;
    if (call === undefined) return;
    inFlight.add(call);
    if (inFlight.size % SWEEP_EVERY === 0) endAborted();
  };

  const end = (call: RecordedCall, aborted: boolean) => {
    const { response, span, method, metadata } = call;
    inFlight.remove(call);
    // Written rather than deleted: deleting a property would move every response to a slower shape.
    (response as TracedResponse)[RECORDED_CALL] = undefined;
    if (metadata.route !== undefined) {
      span.updateName(`${method} ${metadata.route}`);
      span.setAttribute('http.route', metadata.route);
    }
    if (aborted) {
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the connection closed before the response was sent' });
    } else {
      const status = response.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
  };

  const endAborted = () => {
    for (const call of inFlight.aborted()) end(call, true);
  };

  const onResponseFinish = (message: unknown) => {
    const call = ((message as RequestStartMessage).response as TracedResponse)[RECORDED_CALL];
    if (call !== undefined) end(call, false);
  };

  diagnostics.subscribe(REQUEST_START, onRequestStart);
  diagnostics.subscribe(RESPONSE_FINISH, onResponseFinish);
  const sweep = setInterval(endAborted, ABORTED_SWEEP_MS).unref();
  return {
    traceIdOf(request) {
      const spanContext = (request as TracedRequest)[SERVER_SPAN]?.spanContext();
      return spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 ? spanContext.traceId : undefined;
    },
    stop() {
      clearInterval(sweep);
      diagnostics.unsubscribe(REQUEST_START, onRequestStart);
      diagnostics.unsubscribe(RESPONSE_FINISH, onResponseFinish);
    },
  };
}
