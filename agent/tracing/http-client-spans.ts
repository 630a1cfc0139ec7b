import type { Span, TextMapSetter } from '@opentelemetry/api';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { serverOf } from '../http/server-address';
import { SpanKind, SpanStatusCode, context, isTracingSuppressed, propagation } from '../otel-api';
import { ContextWithSpan } from './context-with-span';
import type { HttpSpanStarter } from './http-span';

const REQUEST_CREATED = 'http.client.request.created';
const RESPONSE_FINISH = 'http.client.response.finish';
const REQUEST_ERROR = 'http.client.request.error';

const CLIENT_SPAN = Symbol('vigil.clientSpan');
type TracedRequest = ClientRequest & { [CLIENT_SPAN]?: Span };

const headerSetter: TextMapSetter<ClientRequest> = {
  set: (request, name, value) => request.setHeader(name, value),
};

/**
 * One client span per outbound node:http(s) request, seen through Node's diagnostics channels
 * (Node 22.12 and later): the span starts when the request object is created, in the caller's
 * context, which is also when the propagation headers are added; it ends when the response headers
 * arrive or the request fails. Nothing is patched or wrapped, so the caller's callbacks and
 * streams run as they would without the agent. Requests sent while tracing is suppressed (the
 * agent's own exports) are left alone.
 */
export function traceHttpClients(spans: HttpSpanStarter): () => void {
  const onCreated = (message: unknown) => {
    const { request } = message as { request: TracedRequest };
    const active = context.active();
    if (isTracingSuppressed(active)) return;
    const [address, port] = serverOf(request);
    const query = request.path.indexOf('?');
    const span = spans.start(request.method, SpanKind.CLIENT, active, {
      'http.request.method': request.method,
      'server.address': address,
      'server.port': Number(port),
      // Query strings often carry tokens; they stay out of spans, as on the server side.
      'url.full': `${request.protocol}//${address}:${port}${query === -1 ? request.path : request.path.slice(0, query)}`,
    });
    // Headers given as an array are written in the constructor; such a request cannot carry context.
    // A subscriber that throws would have Node raise the error in the service: never let it.
    try {
      if (!request.headersSent) propagation.inject(new ContextWithSpan(active, span), request, headerSetter);
    } catch {
      // The request goes out without the context; its span is still recorded.
    }
    // Set on every request, recorded or not: on some only, V8 would see two shapes of request
    // wherever Node.js handles one.
    request[CLIENT_SPAN] = span.isRecording() ? span : undefined;
  };

  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: TracedRequest; response: IncomingMessage };
    const span = request[CLIENT_SPAN];
    if (span === undefined) return;
    request[CLIENT_SPAN] = undefined;
    const status = response.statusCode ?? 0;
    span.setAttribute('http.response.status_code', status);
    if (status >= 400) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };

  const onError = (message: unknown) => {
    const { request, error } = message as { request: TracedRequest; error: NodeJS.ErrnoException };
    const span = request[CLIENT_SPAN];
    if (span === undefined) return;
    request[CLIENT_SPAN] = undefined;
    span.setAttribute('error.type', error.code ?? error.name);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.end();
  };

  diagnostics.subscribe(REQUEST_CREATED, onCreated);
  diagnostics.subscribe(RESPONSE_FINISH, onResponse);
  diagnostics.subscribe(REQUEST_ERROR, onError);
  return () => {
    diagnostics.unsubscribe(REQUEST_CREATED, onCreated);
    diagnostics.unsubscribe(RESPONSE_FINISH, onResponse);
    diagnostics.unsubscribe(REQUEST_ERROR, onError);
  };
}
