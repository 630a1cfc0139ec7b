// The telemetry pipeline: log lines from the agents through Kafka and the collector into
// Elasticsearch, plus the agents' span export and profiler.
local g = import '../lib/grafana.libsonnet';
local common = import 'common.libsonnet';

{
  grafanaDashboards+:: {
    'vigil-log-pipeline.json':
      local c = $._config;
      local d = common.new(c);
      local v = d.variables;
      local agentRate(metric, by) = 'sum by (%s) (rate(%s{%s}[$__rate_interval]))' % [by, metric, d.service];
      local collectorRate(metric, by) = 'sum by (%s) (rate(%s{%s}[$__rate_interval]))' % [by, metric, d.collector];

      d.dashboard(
        'Vigil / Log pipeline',
        'vigil-log-pipeline',
        'Log lines from the agents through Kafka and the collector into Elasticsearch: shipped, spooled, dropped, lag, indexing, rejections and dead letters; span export and profiler health.',
        [v.datasource, v.environment, v.tier, v.service],
        [
          {
            title: 'Agents: log lines',
            panels: [
              g.timeseries('Shipped to Kafka', 'Log lines per second that Kafka acknowledged.', [g.target(agentRate('vigil_log_records_shipped_total', 'service'), '{{service}}')], 'short', min=0, links=[d.links.serviceLogs]),
              g.timeseries('Spooled to disk', 'Log lines per second written to the on-disk spool because Kafka was unavailable.', [g.target(agentRate('vigil_log_records_spooled_total', 'service'), '{{service}}')], 'short', min=0),
              g.timeseries('Dropped', 'Log lines per second lost, by reason.', [g.target(agentRate('vigil_log_records_dropped_total', 'service, reason'), '{{service}} {{reason}}')], 'short', min=0, stack=true),
            ],
          },
          {
            title: 'Collector: Kafka to Elasticsearch',
            panels: [
              g.timeseries('Consumer lag', 'Records behind the end of each partition.', [g.target('sum by (topic, partition) (vigil_collector_consumer_lag{%s})' % d.collector, '{{topic}}/{{partition}}')], 'short', min=0, stack=true),
              g.timeseries(
                'Throughput',
                'Records read from Kafka and documents Elasticsearch acknowledged, per second.',
                [
                  g.target(collectorRate('vigil_collector_records_consumed_total', 'topic'), 'consumed {{topic}}'),
                  g.target(collectorRate('vigil_collector_records_indexed_total', 'data_stream'), 'indexed {{data_stream}}'),
                ],
                'short',
                min=0,
              ),
              g.timeseries('Bulk latency', 'Duration of bulk requests to Elasticsearch (p50, p99).', [
                g.target('histogram_quantile(0.5, sum by (le) (rate(vigil_collector_bulk_duration_seconds_bucket{%s}[$__rate_interval])))' % d.collector, 'p50'),
                g.target('histogram_quantile(0.99, sum by (le) (rate(vigil_collector_bulk_duration_seconds_bucket{%s}[$__rate_interval])))' % d.collector, 'p99'),
              ], 's', min=0),
            ],
          },
          {
            title: 'Collector: failures',
            panels: [
              g.timeseries('Elasticsearch rejections', 'Items Elasticsearch rejected per second, by status.', [g.target(collectorRate('vigil_collector_es_rejections_total', 'status'), '{{status}}')], 'short', min=0, stack=true),
              g.timeseries('Retries', 'Bulk items retried per second (429, 5xx), by status.', [g.target(collectorRate('vigil_collector_records_retried_total', 'status'), '{{status}}')], 'short', min=0, stack=true),
              g.timeseries('Dead letters', 'Records per second sent to the dead-letter topic, by reason.', [g.target(collectorRate('vigil_collector_records_dead_lettered_total', 'reason'), '{{reason}}')], 'short', min=0, stack=true),
            ],
          },
          {
            title: 'Agents: traces, profiles, metrics',
            panels: [
              g.timeseries(
                'Spans',
                'Spans per second the trace backend acknowledged, and spans lost by reason.',
                [
                  g.target(agentRate('vigil_spans_exported_total', 'service'), 'exported {{service}}'),
                  g.target(agentRate('vigil_spans_dropped_total', 'service, reason'), 'dropped {{service}} {{reason}}'),
                ],
                'short',
                min=0,
                links=[d.links.serviceTraces],
              ),
              g.timeseries(
                'Profiles',
                'Profiles taken per minute by kind and trigger, and the CPU the profiler itself used.',
                [
                  g.target('60 * ' + agentRate('vigil_profiles_total', 'service, kind, trigger'), '{{service}} {{kind}} {{trigger}}'),
                  g.target(agentRate('vigil_profiler_cpu_seconds_total', 'service'), 'profiler CPU {{service}}'),
                ],
                'short',
                min=0,
              ),
              g.timeseries('Metric series refused', 'New label sets per second refused by the series cap, by metric.', [g.target(agentRate('vigil_metric_series_dropped_total', 'service, metric'), '{{service}} {{metric}}')], 'short', min=0),
            ],
          },
        ],
      ),
  },
}
