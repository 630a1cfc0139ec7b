// Saturation of one process: an event loop that cannot keep up, a heap close to V8's limit.
local promql = import '../lib/promql.libsonnet';
local severity = import 'severity.libsonnet';

{
  local c = $._config,
  local by = 'max by (%s, job, instance)' % promql.identity,

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'vigil.saturation.alerts',
        rules: [
          {
            alert: 'VigilEventLoopDelayHigh',
            expr: '%s (%s) > %s' % [by, promql.metric('nodejs_eventloop_lag_p99_seconds', [c.agentSelector]), promql.num(c.eventLoopDelayP99Seconds)],
            'for': c.eventLoopDelayFor,
            labels: { severity: severity(c) },
            annotations: {
              summary: 'The event loop of {{ $labels.service }} on {{ $labels.instance }} is delayed by {{ $value | humanizeDuration }} (p99).',
              description: 'Every callback in {{ $labels.service }} ({{ $labels.environment }}) on {{ $labels.instance }} waits {{ $value | humanizeDuration }} or more at the 99th percentile before it runs, for longer than %s; requests queue behind synchronous work. The threshold is %ss.' % [c.eventLoopDelayFor, promql.num(c.eventLoopDelayP99Seconds)],
            },
          },
          {
            alert: 'VigilHeapNearLimit',
            expr: '%(by)s (%(used)s / %(limit_bytes)s) > %(limit)s' % { by: by, used: promql.metric('nodejs_heap_size_used_bytes', [c.agentSelector]), limit_bytes: promql.metric('nodejs_heap_size_limit_bytes', [c.agentSelector]), limit: promql.num(c.heapUsedOfLimitRatio) },
            'for': c.heapFor,
            labels: { severity: severity(c) },
            annotations: {
              summary: '{{ $labels.service }} on {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its heap limit.',
              description: 'The V8 heap of {{ $labels.service }} ({{ $labels.environment }}) on {{ $labels.instance }} has been above %s%% of its limit for %s. Near the limit, garbage collection runs back to back and the process ends with an out-of-memory crash.' % [promql.num(100 * c.heapUsedOfLimitRatio), c.heapFor],
            },
          },
        ],
      },
    ],
  },
}
