// The telemetry pipeline itself: log lines lost or stuck on the way to Elasticsearch, spans that do
// not reach Jaeger, metric series refused by the agent's cardinality cap.
local promql = import '../lib/promql.libsonnet';

{
  local c = $._config,
  local agent(metric) = promql.metric(metric, [c.agentSelector]),
  local collector(metric) = promql.metric(metric, [c.collectorSelector]),
  local byService = 'sum by (%s)' % promql.identity,

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'vigil.pipeline.alerts',
        rules: [
          {
            alert: 'VigilLogRecordsDropped',
            expr: 'sum by (%s, reason) (increase(%s[10m])) > 0' % [promql.identity, agent('vigil_log_records_dropped_total')],
            labels: { severity: 'ticket' },
            annotations: {
              summary: '{{ $labels.service }} lost {{ $value | humanize }} log lines in 10 minutes ({{ $labels.reason }}).',
              description: 'The agent in {{ $labels.service }} ({{ $labels.environment }}) dropped log lines for reason "{{ $labels.reason }}" in the last 10 minutes. They will not reach Kafka or Elasticsearch.',
            },
          },
          {
            alert: 'VigilLogRecordsSpooling',
            expr: '%s (rate(%s[5m])) > 0' % [byService, agent('vigil_log_records_spooled_total')],
            'for': '15m',
            labels: { severity: 'ticket' },
            annotations: {
              summary: '{{ $labels.service }} has been spooling log lines to disk for 15 minutes.',
              description: 'The agent in {{ $labels.service }} ({{ $labels.environment }}) cannot hand log lines to Kafka and writes them to its on-disk spool ({{ $value | humanize }} lines/s). When the spool fills, lines are dropped.',
            },
          },
          {
            alert: 'VigilCollectorLagGrowing',
            expr: |||
              sum by (service, environment, topic) (%(lag)s) > %(limit)s
              and
              sum by (service, environment, topic) (deriv(%(lag)s[10m])) > 0
            ||| % { lag: collector('vigil_collector_consumer_lag'), limit: c.collectorLagRecords },
            'for': c.collectorLagFor,
            labels: { severity: 'ticket' },
            annotations: {
              summary: 'The log collector is {{ $value | humanize }} records behind on {{ $labels.topic }}, and falling further behind.',
              description: 'Consumer lag of the log collector on topic {{ $labels.topic }} ({{ $labels.environment }}) is above %s records and has grown for %s: logs reach Elasticsearch late, and Kafka may delete them before they are read.' % [c.collectorLagRecords, c.collectorLagFor],
            },
          },
          {
            alert: 'VigilLogDeadLetters',
            expr: 'sum by (service, environment, reason) (increase(%s[10m])) > 0' % collector('vigil_collector_records_dead_lettered_total'),
            labels: { severity: 'ticket' },
            annotations: {
              summary: 'The log collector sent {{ $value | humanize }} records to the dead-letter topic ({{ $labels.reason }}).',
              description: 'In the last 10 minutes the log collector in {{ $labels.environment }} gave up on records for reason "{{ $labels.reason }}" and moved them to the dead-letter topic; they are not in Elasticsearch.',
            },
          },
          {
            alert: 'VigilSpanExportFailing',
            expr: |||
              %(by)s (rate(%(dropped)s[10m]))
              /
              (
                %(by)s (rate(%(dropped)s[10m]))
                + (%(by)s (rate(%(exported)s[10m])) or 0 * %(by)s (rate(%(dropped)s[10m])))
              )
              > %(limit)s
            ||| % {
              by: byService,
              dropped: agent('vigil_spans_dropped_total'),
              exported: agent('vigil_spans_exported_total'),
              limit: promql.num(c.spanExportFailureRatio),
            },
            'for': '10m',
            labels: { severity: 'ticket' },
            annotations: {
              summary: '{{ $labels.service }} loses {{ $value | humanizePercentage }} of its spans.',
              description: 'For 10 minutes the agent in {{ $labels.service }} ({{ $labels.environment }}) has dropped more than %s%% of its spans instead of exporting them: traces in Jaeger are missing or incomplete, and exemplar links lead nowhere.' % promql.num(100 * c.spanExportFailureRatio),
            },
          },
          {
            alert: 'VigilMetricSeriesDropped',
            expr: 'sum by (%s, metric) (increase(%s[10m])) > 0' % [promql.identity, agent('vigil_metric_series_dropped_total')],
            labels: { severity: 'ticket' },
            annotations: {
              summary: '{{ $labels.service }} refused new label sets for {{ $labels.metric }}.',
              description: 'The agent in {{ $labels.service }} ({{ $labels.environment }}) reached its series cap for {{ $labels.metric }} and refused {{ $value | humanize }} label sets in 10 minutes; those requests are missing from the metric. A label (often a route) takes unbounded values.',
            },
          },
        ],
      },
    ],
  },
}
