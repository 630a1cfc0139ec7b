// Node.js runtime of each process: event loop, CPU, memory, garbage collection, handles.
local g = import '../lib/grafana.libsonnet';
local common = import 'common.libsonnet';

{
  grafanaDashboards+:: {
    'vigil-nodejs-runtime.json':
      local c = $._config;
      local d = common.new(c);
      local s = d.service + ', instance=~"$instance"';
      local v = d.variables;
      local perProcess(metric) = 'max by (service, instance) (%s{%s})' % [metric, s];
      local legend = '{{service}} {{instance}}';

      d.dashboard(
        'Vigil / Node.js runtime',
        'vigil-nodejs-runtime',
        'Event loop, CPU, memory and garbage collection of each Node.js process running the Vigil agent.',
        [v.datasource, v.environment, v.tier, v.service, v.instance],
        [
          {
            title: 'Event loop',
            panels: [
              g.timeseries(
                'Event-loop delay',
                'Delay of timers on the event loop, as prom-client samples it.',
                [
                  g.target(perProcess('nodejs_eventloop_lag_p99_seconds'), 'p99 ' + legend),
                  g.target(perProcess('nodejs_eventloop_lag_p50_seconds'), 'p50 ' + legend),
                  g.target(perProcess('nodejs_eventloop_lag_max_seconds'), 'max ' + legend),
                ],
                's',
                min=0,
                links=[d.links.cpuProfile],
              ),
              g.timeseries('Event-loop utilization', 'Share of time the loop was busy between scrapes.', [g.target(perProcess('nodejs_eventloop_utilization_ratio'), legend)], 'percentunit', min=0, max=1, links=[d.links.cpuProfile]),
              g.timeseries('Active resources', 'Handles, requests and timers keeping the event loop alive, by type.', [g.target('sum by (service, instance, type) (nodejs_active_resources{%s})' % s, '{{instance}} {{type}}')], 'short', min=0),
            ],
          },
          {
            title: 'CPU',
            panels: [
              g.timeseries('CPU utilization', 'CPU time per wall time (1 = one core).', [g.target(perProcess('process_cpu_utilization_ratio'), legend)], 'percentunit', min=0, links=[d.links.cpuProfile]),
              g.timeseries(
                'CPU time by mode',
                'User and system CPU seconds per second.',
                [
                  g.target('sum by (service, instance) (rate(process_cpu_user_seconds_total{%s}[$__rate_interval]))' % s, 'user ' + legend),
                  g.target('sum by (service, instance) (rate(process_cpu_system_seconds_total{%s}[$__rate_interval]))' % s, 'system ' + legend),
                ],
                'percentunit',
                min=0,
                stack=true,
                links=[d.links.cpuProfile],
              ),
            ],
          },
          {
            title: 'Memory',
            panels: [
              g.timeseries(
                'Heap',
                'V8 heap in use, allocated, and its limit.',
                [
                  g.target(perProcess('nodejs_heap_size_used_bytes'), 'used ' + legend),
                  g.target(perProcess('nodejs_heap_size_total_bytes'), 'total ' + legend),
                  g.target(perProcess('nodejs_heap_size_limit_bytes'), 'limit ' + legend),
                ],
                'bytes',
                min=0,
                links=[d.links.heapProfile],
              ),
              g.timeseries('Heap by space', 'Bytes in use per V8 heap space.', [g.target('sum by (service, instance, space) (nodejs_heap_space_size_used_bytes{%s})' % s, '{{instance}} {{space}}')], 'bytes', min=0, stack=true, links=[d.links.heapProfile]),
              g.timeseries(
                'Process memory',
                'Resident set size and memory held outside the V8 heap (buffers).',
                [
                  g.target(perProcess('process_resident_memory_bytes'), 'rss ' + legend),
                  g.target(perProcess('nodejs_external_memory_bytes'), 'external ' + legend),
                ],
                'bytes',
                min=0,
              ),
            ],
          },
          {
            title: 'Garbage collection',
            panels: [
              g.timeseries('GC time', 'Seconds per second spent in garbage-collection pauses, by kind.', [g.target('sum by (service, instance, kind) (rate(nodejs_gc_duration_seconds_sum{%s}[$__rate_interval]))' % s, '{{instance}} {{kind}}')], 'percentunit', min=0, stack=true),
              g.timeseries('GC pauses', 'Garbage-collection pauses per second, by kind.', [g.target('sum by (service, instance, kind) (rate(nodejs_gc_duration_seconds_count{%s}[$__rate_interval]))' % s, '{{instance}} {{kind}}')], 'ops', min=0, stack=true),
              g.timeseries('Open file descriptors', 'Open file descriptors against the process limit.', [
                g.target(perProcess('process_open_fds'), 'open ' + legend),
                g.target(perProcess('process_max_fds'), 'limit ' + legend),
              ], 'short', min=0),
            ],
          },
          {
            title: 'Versions',
            height: 6,
            panels: [
              g.table(
                'Processes',
                'Each process with its uptime, service version and Node.js version.',
                [
                  g.target('max by (service, instance) (time() - process_start_time_seconds{%s})' % s, instant=true),
                  g.target('max by (service, instance, version) (vigil_service_info{%s})' % s, instant=true),
                  g.target('max by (service, instance, node_version) (label_replace(nodejs_version_info{%s}, "node_version", "$1", "version", "(.*)"))' % s, instant=true),
                ],
                [{ title: 'Uptime', unit: 's' }, { title: 'Version', unit: 'none', hidden: true }, { title: 'Node.js', unit: 'none', hidden: true }],
              ),
            ],
          },
        ],
      ),
  },
}
