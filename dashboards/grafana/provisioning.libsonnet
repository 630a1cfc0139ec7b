// Grafana provisioning: the Prometheus, Jaeger and Elasticsearch datasources linked to each other
// (exemplars to traces, traces to logs, logs to traces), and a file provider for the dashboards.
// Grafana expands $VAR in provisioning files, so Grafana's own ${...} macros are written $${...}.
{
  local c = $._config,
  local ds = c.datasources,

  grafanaProvisioning:: {
    datasources: {
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          uid: ds.prometheus.uid,
          type: 'prometheus',
          access: 'proxy',
          url: ds.prometheus.url,
          isDefault: true,
          jsonData: {
            httpMethod: 'POST',
            timeInterval: '3s',
            exemplarTraceIdDestinations: [
              { name: 'trace_id', datasourceUid: ds.jaeger.uid, urlDisplayLabel: 'Trace in Jaeger' },
              {
                name: 'trace_id',
                url: "%s/app/discover#/?_a=(dataSource:(dataViewId:'%s',type:dataView),query:(language:kuery,query:'trace.id:\"$${__value.raw}\"'))" % [c.kibanaUrl, c.kibana.dataViewId],
                urlDisplayLabel: 'Logs in Kibana',
              },
            ],
          },
        },
        {
          name: 'Jaeger',
          uid: ds.jaeger.uid,
          type: 'jaeger',
          access: 'proxy',
          url: ds.jaeger.url,
          jsonData: {
            tracesToLogsV2: {
              datasourceUid: ds.elasticsearch.uid,
              filterByTraceID: false,
              filterBySpanID: false,
              customQuery: true,
              query: 'trace.id:"$${__trace.traceId}"',
              spanStartTimeShift: '-5m',
              spanEndTimeShift: '5m',
            },
            tracesToMetrics: {
              datasourceUid: ds.prometheus.uid,
              tags: [{ key: 'service.name', value: 'service' }],
              queries: [
                { name: 'Request rate', query: 'sum(rate(http_server_request_duration_seconds_count{$$__tags}[5m]))' },
                { name: 'p99 latency', query: 'histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{$$__tags}[5m])))' },
              ],
            },
            nodeGraph: { enabled: true },
          },
        },
        {
          name: 'Elasticsearch logs',
          uid: ds.elasticsearch.uid,
          type: 'elasticsearch',
          access: 'proxy',
          url: ds.elasticsearch.url,
          jsonData: {
            index: ds.elasticsearch.index,
            timeField: '@timestamp',
            logMessageField: 'message',
            logLevelField: 'log.level',
            dataLinks: [
              { field: 'trace.id', datasourceUid: ds.jaeger.uid, url: '$${__value.raw}' },
            ],
          },
        },
      ],
    },
    dashboards: {
      apiVersion: 1,
      providers: [
        {
          name: 'vigil',
          folder: 'Vigil',
          type: 'file',
          disableDeletion: false,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: c.grafanaDashboardsPath },
        },
      ],
    },
  },
}
