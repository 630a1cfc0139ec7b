// Everything a deployment may want to change, in one place. Override from your own jsonnet:
//   (import 'vigil/dashboards/mixin.libsonnet') + { _config+:: { agentSelector: 'job="payments"' } }
{
  _config+:: {
    // Selects the series of Vigil agents (`:9464/metrics`) and of the log collector (`:9465/metrics`).
    // Empty matches every scrape job; narrow it when Prometheus scrapes other things with these names.
    agentSelector: '',
    collectorSelector: '',

    // The availability SLI counts these requests as failed.
    errorSelector: 'http_response_status_code=~"5.."',

    // SLOs per tier (1 = most critical). `availability` and `latency` are the targets: the share of
    // live requests that must succeed, and that must finish within `latencyThresholdSeconds`, which
    // has to be one of the agent's histogram buckets. `severity` is what a fast budget burn raises.
    tiers: {
      '1': { availability: 0.999, latency: 0.99, latencyThresholdSeconds: 0.25, severity: 'page' },
      '2': { availability: 0.995, latency: 0.99, latencyThresholdSeconds: 0.5, severity: 'page' },
      '3': { availability: 0.99, latency: 0.95, latencyThresholdSeconds: 1, severity: 'ticket' },
      '4': { availability: 0.98, latency: 0.9, latencyThresholdSeconds: 2.5, severity: 'ticket' },
    },
    // The agent's latency buckets (agent/metrics/names.ts); thresholds must be among them.
    latencyBuckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],

    // Multi-window, multi-burn-rate alerting as in the SRE workbook: a long window that shows the
    // budget is really burning and a short one that stops the alert soon after the burn stops.
    // `fast` burns raise the tier's severity; `slow` burns always open a ticket.
    burnRates: [
      { speed: 'fast', long: '1h', short: '5m', factor: 14.4, 'for': '2m' },
      { speed: 'fast', long: '6h', short: '30m', factor: 6, 'for': '15m' },
      { speed: 'slow', long: '1d', short: '2h', factor: 3, 'for': '1h' },
      { speed: 'slow', long: '3d', short: '6h', factor: 1, 'for': '3h' },
    ],

    // Saturation and pipeline thresholds.
    eventLoopDelayP99Seconds: 0.1,
    eventLoopDelayFor: '5m',
    heapUsedOfLimitRatio: 0.9,
    heapFor: '10m',
    collectorLagRecords: 10000,
    collectorLagFor: '15m',
    spanExportFailureRatio: 0.1,
    targetDownFor: '2m',
    // How far back a down target's identity (service, tier) is looked up.
    identityLookback: '1h',

    // Where the runbooks are published; each alert links to <base><alert-name-in-kebab-case>.md.
    runbookUrlBase: 'docs/runbooks/',

    // Grafana: datasource UIDs the dashboards use, and the URLs behind them.
    datasources: {
      prometheus: { uid: 'vigil-prometheus', url: 'http://127.0.0.1:9090' },
      jaeger: { uid: 'vigil-jaeger', url: 'http://127.0.0.1:16686' },
      elasticsearch: { uid: 'vigil-elasticsearch', url: 'http://127.0.0.1:9200', index: 'logs-*' },
    },
    jaegerUrl: 'http://127.0.0.1:16686',
    kibanaUrl: 'http://127.0.0.1:5601',
    // Where Grafana reads the dashboard files (build/grafana/dashboards/) from.
    grafanaDashboardsPath: '/var/lib/grafana/dashboards/vigil',
    dashboardTags: ['vigil'],
    dashboardRefresh: '30s',

    // Kibana: the data view over every Vigil log data stream, and one saved search per service.
    kibana: {
      dataViewId: 'vigil-logs',
      indexPattern: 'logs-*',
      services: ['demo'],
    },

    // Alertmanager receivers by name; replace the webhooks with your pager and ticket integrations.
    // Pages of the first paging tier go to 'page-critical', other pages to 'page', tickets to 'ticket'.
    alertmanager: {
      receivers: {
        'page-critical': { webhook_configs: [{ url: 'http://127.0.0.1:9095/page-critical', send_resolved: true }] },
        page: { webhook_configs: [{ url: 'http://127.0.0.1:9095/page', send_resolved: true }] },
        ticket: { webhook_configs: [{ url: 'http://127.0.0.1:9095/ticket', send_resolved: true }] },
      },
    },
  },
}
