/** Metric names, in base units, after the OpenTelemetry HTTP semantic conventions. */
export const MetricNames = {
  serverDuration: 'http_server_request_duration_seconds',
  serverActive: 'http_server_active_requests',
  clientDuration: 'http_client_request_duration_seconds',
  eventLoopUtilization: 'nodejs_eventloop_utilization_ratio',
  cpuUtilization: 'process_cpu_utilization_ratio',
  heapLimit: 'nodejs_heap_size_limit_bytes',
  activeResources: 'nodejs_active_resources',
  seriesDropped: 'vigil_metric_series_dropped_total',
  serviceInfo: 'vigil_service_info',
} as const;

/** Latency buckets for web requests, 5 ms to 10 s, as the OpenTelemetry HTTP conventions advise. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Route label of a request that matched no route: all such paths share this one series. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** Unknown methods collapse into `_OTHER`, as the conventions say, so a scanner cannot mint series. */
export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}
