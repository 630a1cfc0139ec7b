import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type * as Sentry from '@sentry/node';
import type { Diag } from '../diag';
import type { TraceIdOf } from '../metrics/http-server';
import { normalizeMethod } from '../metrics/names';
import type { RouteResolver } from '../metrics/routes';
import type { CaptureLimiter } from './capture-limiter';
import { activeSpanIds, HTTP_MECHANISM, KIND_TAG, TRACE_ID_TAG, type SpanIds } from './event-context';
import { ExpressErrorInstrumentation } from './express-errors';
import { requestEventData, requestTags } from './request-context';

type SentryApi = Pick<typeof Sentry, 'withScope' | 'captureException' | 'captureMessage'>;

export interface HttpErrorOptions {
  readonly sentry: SentryApi;
  readonly routes: RouteResolver;
  /** Requests to these servers (the agent's own) are not watched. */
  readonly ignoreServer: (server: Server) => boolean;
  readonly traceIdOf: TraceIdOf;
  readonly limiter: CaptureLimiter;
  /** Called for each 5xx left out by the limiter. */
  readonly onLimited: () => void;
  readonly diag: Diag;
}

interface FinishMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

interface FastifyHandlerStore {
  request?: { raw?: IncomingMessage };
  error?: unknown;
}

interface SeenError {
  readonly error: unknown;
  /** The span active where the framework caught the error. */
  readonly ids: SpanIds | undefined;
}

const RESPONSE_FINISH = 'http.server.response.finish';
const FASTIFY_HANDLER_ERROR = 'tracing:fastify.request.handler:error';

/**
 * Captures the error behind every 5xx answer of a node:http server, Express and Fastify included,
 * once the response is finished and its status known. Fastify announces handler errors on a
 * diagnostics channel, Express's are seen in its router; a plain node:http 5xx with no error
 * behind it becomes a message event. Returns the function that stops it.
 */
export function captureHttpErrors(options: HttpErrorOptions): () => void {
  const { sentry, routes, ignoreServer, traceIdOf, limiter, onLimited, diag } = options;
  const seen = new WeakMap<IncomingMessage, SeenError>();
  const remember = (request: IncomingMessage, error: unknown) => seen.set(request, { error, ids: activeSpanIds() });

  const onFastifyError = (message: unknown) => {
    const { request, error } = (message ?? {}) as FastifyHandlerStore;
    if (request?.raw !== undefined) remember(request.raw, error);
  };

  const onResponseFinish = (message: unknown) => {
    // A subscriber that throws would have Node raise the error in the service: never let it.
    try {
      capture(message as FinishMessage);
    } catch (error) {
      diag.state('crash.http', 'failing', `crash capture: a 5xx answer could not be captured (${(error as Error).message}); the service is not affected`);
    }
  };

  const capture = ({ request, response, server }: FinishMessage) => {
    const status = response.statusCode;
    if (status < 500 || ignoreServer(server)) return;
    const method = normalizeMethod(request.method);
    const route = routes.route(request);
    const found = seen.get(request);
    const errorName = found?.error instanceof Error ? found.error.name : '';
    if (!limiter.allow(`${method} ${route} ${status} ${errorName}`)) {
      onLimited();
      return;
    }
    const traceId = traceIdOf(request) ?? found?.ids?.traceId;
    sentry.withScope((scope) => {
      scope.setTags({ ...requestTags({ method, route, status }), [KIND_TAG]: 'http_5xx', ...(traceId === undefined ? {} : { [TRACE_ID_TAG]: traceId }) });
      if (found?.ids !== undefined && found.ids.traceId === traceId) scope.setContext('trace', { trace_id: traceId, span_id: found.ids.spanId });
      scope.setContext('response', { status_code: status });
      scope.setTransactionName(`${method} ${route}`);
      const requestData = requestEventData(request);
      scope.addEventProcessor((event) => ({ ...event, request: requestData }));
      if (found !== undefined) sentry.captureException(found.error, { mechanism: { type: HTTP_MECHANISM, handled: false } });
      else sentry.captureMessage(`${method} ${route} answered ${status}`, 'error');
    });
  };

  const express = new ExpressErrorInstrumentation(remember);
  express.patchLoaded(Object.keys(require.cache));
  diagnostics.subscribe(FASTIFY_HANDLER_ERROR, onFastifyError);
  diagnostics.subscribe(RESPONSE_FINISH, onResponseFinish);
  return () => {
    diagnostics.unsubscribe(FASTIFY_HANDLER_ERROR, onFastifyError);
    diagnostics.unsubscribe(RESPONSE_FINISH, onResponseFinish);
    express.disable();
  };
}
