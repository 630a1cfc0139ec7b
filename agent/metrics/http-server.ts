import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { trafficFromHeaders, type Traffic } from '../traffic';
import { carriesContextHeaders } from '../http/context-headers';
import { InFlightList, type InFlightEntry } from '../http/in-flight';
import type { MetricsRegistry } from './registry';
import { MetricNames, normalizeMethod } from './names';
import type { RequestHistogram } from './request-histogram';
import type { RouteResolver } from './routes';

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

/** The trace id of a request's server span, when tracing recorded one; the tracing component provides it. */
export type TraceIdOf = (request: IncomingMessage) => string | undefined;

export interface HttpServerMetricsOptions {
  readonly registry: MetricsRegistry;
  readonly histogram: (name: string, help: string, labelNames: readonly string[]) => RequestHistogram;
  readonly routes: RouteResolver;
  /** Requests to these servers (the agent's own) are not measured. */
  readonly ignoreServer: (server: Server) => boolean;
  readonly traceIdOf: TraceIdOf;
}

const REQUEST_START = 'http.server.request.start';
const RESPONSE_FINISH = 'http.server.response.finish';
/** In-flight requests are checked for aborted ones whenever their number passes a multiple of this. */
const PRUNE_EVERY = 1024;

interface ServerCall extends InFlightEntry<ServerCall> {
  readonly request: IncomingMessage;
  readonly startedAt: number;
  readonly method: string;
  readonly traffic: Traffic;
  readonly active: { value: number };
}

const CALL = Symbol('vigil.serverCall');
type MeasuredResponse = ServerResponse & { [CALL]?: ServerCall };

interface ActiveCount {
  readonly labels: { http_request_method: string; traffic: Traffic };
  value: number;
}

/** Status codes as label strings, made once each: a fresh string per request would be hashed per request. */
const STATUS_LABELS = new Map<number, string>();
function statusLabel(code: number): string {
  let label = STATUS_LABELS.get(code);
  if (label === undefined) {
    label = String(code);
    if (STATUS_LABELS.size < 1000) STATUS_LABELS.set(code, label);
  }
  return label;
}

/**
 * Traffic, latency and errors of every node:http server in the process, Express and Fastify
 * included, seen through Node's diagnostics channels: no patching, and nothing to change in the
 * service. Requests end on the response-finish channel rather than a per-response listener, which
 * costs a measurable share of a small route; aborted requests never finish, so they are found
 * by looking over the calls in flight at scrape time and whenever their number grows.
 */
export function instrumentHttpServer(options: HttpServerMetricsOptions): () => void {
  const { registry, routes, ignoreServer, traceIdOf } = options;
  const duration = options.histogram(MetricNames.serverDuration, 'Duration of HTTP server requests.', ['http_request_method', 'http_route', 'http_response_status_code', 'error_type', 'traffic']);
  const inFlight = new InFlightList<ServerCall>();
  const activeByLabels = new Map<string, ActiveCount>();

  const record = (call: ServerCall, aborted: boolean) => {
    inFlight.remove(call);
    // Written rather than deleted: deleting a property would move every response to a slower shape.
    (call.response as MeasuredResponse)[CALL] = undefined;
    call.active.value--;
    const { request, response, method, traffic } = call;
    const value = (performance.now() - call.startedAt) / 1000;
    const status = aborted ? '' : statusLabel(response.statusCode);
    const errorType = aborted ? 'aborted' : (routes.errorType(request) ?? (response.statusCode >= 500 ? status : ''));
    const route = routes.route(request);
    duration.observe([method, route, status, errorType, traffic], value, traceIdOf(request));
  };

  const pruneAborted = () => {
    for (const call of inFlight.aborted()) record(call, true);
  };

  duration.beforeRender(pruneAborted);
  registry.gauge<'http_request_method' | 'traffic'>({
    name: MetricNames.serverActive,
    help: 'Number of HTTP server requests in flight.',
    labelNames: ['http_request_method', 'traffic'],
    collect() {
      pruneAborted();
      for (const { labels, value } of activeByLabels.values()) this.set(labels, value);
    },
  });

  const onRequestStart = (message: unknown) => {
    const { request, response, server } = message as RequestStartMessage;
    if (ignoreServer(server)) return;
    const method = normalizeMethod(request.method);
    const traffic = carriesContextHeaders(request) ? trafficFromHeaders(request.headers) : 'live';
    const activeKey = traffic === 'live' ? method : `${method} shadow`;
    let active = activeByLabels.get(activeKey);
    if (active === undefined) {
      active = { labels: { http_request_method: method, traffic }, value: 0 };
      activeByLabels.set(activeKey, active);
    }
    active.value++;
    const call: ServerCall = { request, response, startedAt: performance.now(), method, traffic, active, previous: undefined, next: undefined };
    inFlight.add(call);
    (response as MeasuredResponse)[CALL] = call;
    if (inFlight.size % PRUNE_EVERY === 0) pruneAborted();
  };

  const onResponseFinish = (message: unknown) => {
    const { response } = message as RequestStartMessage;
    const call = (response as MeasuredResponse)[CALL];
    if (call !== undefined) record(call, false);
  };

  diagnostics.subscribe(REQUEST_START, onRequestStart);
  diagnostics.subscribe(RESPONSE_FINISH, onResponseFinish);
  return () => {
    diagnostics.unsubscribe(REQUEST_START, onRequestStart);
    diagnostics.unsubscribe(RESPONSE_FINISH, onResponseFinish);
  };
}
