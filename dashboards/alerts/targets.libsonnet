// Scrape health: a target that does not answer, and targets that answer without Vigil's metrics.
local promql = import '../lib/promql.libsonnet';
local severity = import 'severity.libsonnet';

{
  local c = $._config,
  local up = promql.metric('up', [c.agentSelector]),
  local info = promql.metric('vigil_service_info', [c.agentSelector]),
  // Series every agent and every collector exports from its start, carrying their identity.
  local identity = '{%s}' % promql.selector(['__name__=~"vigil_service_info|vigil_collector_bulk_duration_seconds_count"', c.agentSelector]),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'vigil.targets.alerts',
        rules: [
          {
            // A down target exports nothing, so its identity comes from what it exported last;
            // a target never seen up still alerts, without identity.
            alert: 'VigilTargetDown',
            expr: |||
              (%(up)s == 0)
              * on (job, instance) group_left (%(identity)s)
                max by (job, instance, %(identity)s) (last_over_time(%(exported)s[%(lookback)s]))
              or on (job, instance)
              (%(up)s == 0)
            ||| % { up: up, identity: promql.identity, exported: identity, lookback: c.identityLookback },
            'for': c.targetDownFor,
            labels: { severity: severity(c) },
            annotations: {
              summary: 'Prometheus cannot scrape {{ $labels.instance }}{{ with $labels.service }} ({{ . }}){{ end }}.',
              description: 'The metrics endpoint {{ $labels.instance }} of job {{ $labels.job }} has not answered for %s. Either the service is down there or its metrics server is unreachable; every other alert about it is held back meanwhile.' % c.targetDownFor,
            },
          },
          {
            alert: 'VigilAgentMetricsAbsent',
            expr: '%s == 1 unless on (job, instance) group by (job, instance) (%s)' % [up, identity],
            'for': '10m',
            labels: { severity: 'ticket' },
            annotations: {
              summary: '{{ $labels.instance }} answers scrapes but exports no Vigil metrics.',
              description: 'The target {{ $labels.instance }} of job {{ $labels.job }} is up, but has exported neither vigil_service_info nor the collector metrics for 10 minutes: the agent was not started in that process, or something else listens on its port.',
            },
          },
          {
            alert: 'VigilMetricsAbsent',
            expr: 'absent(%s)' % info,
            'for': '15m',
            labels: { severity: 'ticket' },
            annotations: {
              summary: 'No Vigil agent has been scraped for 15 minutes.',
              description: 'Prometheus holds no vigil_service_info series at all: no service with the agent is scraped, so no SLO alert can fire. Check the scrape configuration and service discovery.',
            },
          },
        ],
      },
    ],
  },
}
