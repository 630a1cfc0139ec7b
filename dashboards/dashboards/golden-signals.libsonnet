// Service golden signals: traffic, errors, latency and saturation of the chosen services, with
// exemplars leading to traces and links to the services' logs and profiles.
local g = import '../lib/grafana.libsonnet';
local common = import 'common.libsonnet';

{
  grafanaDashboards+:: {
    'vigil-golden-signals.json':
      local c = $._config;
      local d = common.new(c);
      local requests(extra='') = 'http_server_request_duration_seconds_count{%s%s}' % [d.request, extra];
      local rate(selector, by) = 'sum by (%s) (rate(%s[$__rate_interval]))' % [by, selector];
      local errors = ', ' + c.errorSelector;
      local bucketRate(by) = 'sum by (%s) (rate(http_server_request_duration_seconds_bucket{%s}[$__rate_interval]))' % [by, d.request];
      local quantile(q, by) = 'histogram_quantile(%s, %s)' % [q, bucketRate(by)];
      local v = d.variables;

      d.dashboard(
        'Vigil / Service golden signals',
        'vigil-golden-signals',
        'Traffic, errors, latency and saturation of services instrumented with Vigil.',
        [v.datasource, v.environment, v.tier, v.service, v.traffic],
        [
          {
            title: 'Overview',
            height: 4,
            panels: [
              g.stat('Requests', 'Requests per second, all routes.', [g.target(rate(requests(), 'service'), '{{service}}')], 'reqps', links=[d.links.serviceTraces]),
              g.stat(
                'Error ratio',
                'Share of requests that failed (%s).' % c.errorSelector,
                [g.target('(%s or 0 * %s) / %s' % [rate(requests(errors), 'service'), rate(requests(), 'service'), rate(requests(), 'service')], '{{service}}')],
                'percentunit',
                [{ color: 'orange', value: 0.001 }, { color: 'red', value: 0.01 }],
                [d.links.serviceErrorLogs],
              ),
              g.stat('p99 latency', '99th percentile of request duration.', [g.target(quantile('0.99', 'service, le'), '{{service}}')], 's', [{ color: 'orange', value: 0.25 }, { color: 'red', value: 1 }]),
              g.stat('In flight', 'Requests being served right now.', [g.target('sum by (service) (http_server_active_requests{%s})' % d.request, '{{service}}')], 'short'),
            ],
          },
          {
            title: 'Traffic',
            panels: [
              g.timeseries('Requests by route', 'Requests per second by route template.', [g.target(rate(requests(), 'service, http_request_method, http_route'), '{{service}} {{http_request_method}} {{http_route}}')], 'reqps', min=0, links=[d.links.serviceLogs, d.links.serviceTraces]),
              g.timeseries('Requests by status', 'Requests per second by response status code.', [g.target(rate(requests(), 'service, http_response_status_code'), '{{service}} {{http_response_status_code}}')], 'reqps', min=0, stack=true, links=[d.links.serviceLogs]),
            ],
          },
          {
            title: 'Errors',
            panels: [
              g.timeseries(
                'Error ratio by route',
                'Share of requests per route that failed.',
                [g.target('%s / %s' % [rate(requests(errors), 'service, http_route'), rate(requests(), 'service, http_route')], '{{service}} {{http_route}}')],
                'percentunit',
                min=0,
                links=[d.links.serviceErrorLogs],
              ),
              g.timeseries('Errors by type', 'Failed requests per second by error type: the exception name, the status code, or "aborted".', [g.target(rate(requests(', error_type!=""'), 'service, error_type'), '{{service}} {{error_type}}')], 'reqps', min=0, stack=true, links=[d.links.serviceErrorLogs]),
            ],
          },
          {
            title: 'Latency',
            panels: [
              g.timeseries(
                'Latency percentiles',
                'Request duration percentiles from the histogram. Exemplar dots link to the trace of a request in Jaeger and to its logs in Kibana.',
                [
                  g.target(quantile('0.5', 'service, le'), 'p50 {{service}}'),
                  g.target(quantile('0.95', 'service, le'), 'p95 {{service}}'),
                  g.target(quantile('0.99', 'service, le'), 'p99 {{service}}', exemplar=true),
                ],
                's',
                min=0,
                links=[d.links.serviceTraces],
              ),
              g.timeseries('p99 latency by route', '99th percentile of request duration per route template.', [g.target(quantile('0.99', 'service, http_route, le'), '{{service}} {{http_route}}', exemplar=true)], 's', min=0, links=[d.links.serviceTraces]),
            ],
          },
          {
            title: 'Saturation',
            panels: [
              g.timeseries('Requests in flight', 'Requests being served, per process.', [g.target('sum by (service, instance) (http_server_active_requests{%s})' % d.request, '{{service}} {{instance}}')], 'short', min=0),
              g.timeseries(
                'Event-loop delay',
                'How long callbacks wait for the event loop (p50 and p99 per process). Long delays come from synchronous work: take a CPU profile.',
                [
                  g.target('max by (service, instance) (nodejs_eventloop_lag_p99_seconds{%s})' % d.service, 'p99 {{service}} {{instance}}'),
                  g.target('max by (service, instance) (nodejs_eventloop_lag_p50_seconds{%s})' % d.service, 'p50 {{service}} {{instance}}'),
                ],
                's',
                min=0,
                links=[d.links.cpuProfile],
              ),
              g.timeseries('Event-loop utilization', 'Share of time the event loop was busy.', [g.target('max by (service, instance) (nodejs_eventloop_utilization_ratio{%s})' % d.service, '{{service}} {{instance}}')], 'percentunit', min=0, max=1, links=[d.links.cpuProfile]),
            ],
          },
          {
            title: 'Resources',
            panels: [
              g.timeseries('CPU', 'CPU time per wall time (1 = one core).', [g.target('max by (service, instance) (process_cpu_utilization_ratio{%s})' % d.service, '{{service}} {{instance}}')], 'percentunit', min=0, links=[d.links.cpuProfile]),
              g.timeseries(
                'Heap used of limit',
                "V8 heap in use as a share of the heap's limit; near 1 the process runs out of memory.",
                [g.target('max by (service, instance) (nodejs_heap_size_used_bytes{%(s)s} / nodejs_heap_size_limit_bytes{%(s)s})' % { s: d.service }, '{{service}} {{instance}}')],
                'percentunit',
                min=0,
                max=1,
                links=[d.links.heapProfile],
              ),
            ],
          },
          {
            title: 'Outbound calls',
            panels: [
              g.timeseries('Outbound requests', 'Calls this service makes, per second by destination and status.', [g.target('sum by (service, server_address, http_response_status_code) (rate(http_client_request_duration_seconds_count{%s}[$__rate_interval]))' % d.request, '{{service}} → {{server_address}} {{http_response_status_code}}')], 'reqps', min=0),
              g.timeseries('Outbound p99 latency', '99th percentile of outbound call duration, to the response headers.', [g.target('histogram_quantile(0.99, sum by (service, server_address, le) (rate(http_client_request_duration_seconds_bucket{%s}[$__rate_interval])))' % d.request, '{{service}} → {{server_address}}')], 's', min=0),
            ],
          },
        ],
      ),
  },
}
