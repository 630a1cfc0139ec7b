import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { LabelValues } from 'prom-client';
import { trafficFromHeaders } from '../traffic';
import type { MetricsRegistry } from './registry';
import { LATENCY_BUCKETS, MetricNames, normalizeMethod } from './names';
import { RouteResolver } from './routes';
import type { SeriesGuard } from './series-guard';

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** The trace id of a request's server span, when tracing recorded one; the tracing component provides it. */
export type TraceIdOf = (request: IncomingMessage) => string | undefined;

export interface HttpServerMetricsOptions {
  readonly registry: MetricsRegistry;
  readonly guard: SeriesGuard;
  readonly routeTemplates: readonly string[];
  /** Requests to these servers (the agent's own) are not measured. */
  readonly ignoreServer: (server: Server) => boolean;
  readonly traceIdOf: TraceIdOf;
}

const REQUEST_START = 'http.server.request.start';
type Labels = 'http_request_method' | 'http_route' | 'http_response_status_code' | 'error_type' | 'traffic';

/**
 * Traffic, latency and errors of every node:http server in the process, Express and Fastify
 * included, seen through Node's diagnostics channel: no patching, and nothing to change in the service.
 */
export function instrumentHttpServer(options: HttpServerMetricsOptions): () => void {
  const { registry, guard, ignoreServer, traceIdOf } = options;
  const routes = new RouteResolver(options.routeTemplates);
  const duration = registry.histogram<Labels>({
    name: MetricNames.serverDuration,
    help: 'Duration of HTTP server requests.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type', 'traffic'],
    buckets: LATENCY_BUCKETS,
    enableExemplars: true,
  });
  const active = registry.gauge<'http_request_method' | 'traffic'>({
    name: MetricNames.serverActive,
    help: 'Number of HTTP server requests in flight.',
    labelNames: ['http_request_method', 'traffic'],
  });

  const onRequestStart = (message: unknown) => {
    const { request, response, server } = message as RequestStartMessage;
    if (ignoreServer(server)) return;
    const startedAt = performance.now();
    const method = normalizeMethod(request.method);
    const traffic = trafficFromHeaders(request.headers);
    const activeLabels = { http_request_method: method, traffic };
    active.inc(activeLabels);
    response.once('close', () => {
      active.dec(activeLabels);
      const status = response.statusCode;
      const aborted = !response.writableFinished;
      const errorType = aborted ? 'aborted' : (routes.errorType(request) ?? (status >= 500 ? String(status) : ''));
      const labels = {
        http_request_method: method,
        http_route: routes.route(request),
        http_response_status_code: aborted ? '' : String(status),
        error_type: errorType,
        traffic,
      };
      const key = `${method}\0${labels.http_route}\0${labels.http_response_status_code}\0${errorType}\0${traffic}`;
      if (!guard.admit(MetricNames.serverDuration, key)) return;
      const value = (performance.now() - startedAt) / 1000;
      const traceId = traceIdOf(request);
      duration.observe({ labels, value, exemplarLabels: (traceId === undefined ? {} : { trace_id: traceId }) as LabelValues<Labels> });
    });
  };

  diagnostics.subscribe(REQUEST_START, onRequestStart);
  return () => {
    diagnostics.unsubscribe(REQUEST_START, onRequestStart);
    routes.close();
  };
}
