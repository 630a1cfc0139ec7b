// Every service at a glance, by tier: traffic, errors, latency and how fast each burns its SLO
// budgets, from the recording rules.
local g = import '../lib/grafana.libsonnet';
local common = import 'common.libsonnet';
local promql = import '../lib/promql.libsonnet';

{
  grafanaDashboards+:: {
    'vigil-fleet.json':
      local c = $._config;
      local d = common.new(c);
      local v = d.variables;
      local s = 'environment=~"$environment", tier=~"$tier"';
      // The budget each tier allows, as a vector to divide a ratio by: the burn rate.
      local budget(slo) = std.join(' or ', [
        'label_replace(vector(%s), "tier", "%s", "", "")' % [promql.num(1 - c.tiers[tier][slo]), tier]
        for tier in std.objectFields(c.tiers)
      ]);
      local burn(ratio, slo) = '%s{%s} / on (tier) group_left () (%s)' % [ratio, s, budget(slo)];
      local serviceLink = g.link('Golden signals of ${__data.fields.service}', '/d/vigil-golden-signals?var-service=${__data.fields.service}&var-environment=${__data.fields.environment}&${__url_time_range}');

      d.dashboard(
        'Vigil / Fleet overview',
        'vigil-fleet',
        'All services by tier: traffic, error ratio, latency and SLO burn rates (1 = spending the error budget exactly over 30 days).',
        [v.datasource, v.environment, v.tier],
        [
          {
            title: 'Services',
            height: 10,
            panels: [
              g.table(
                'Services by tier',
                'Live traffic of each service over the last 5 minutes, and its burn rates over 1 hour. A burn rate above 14.4 pages for tiers that page.',
                [
                  g.target('sum by (service, environment, tier) (service:http_server_requests:rate5m{%s, traffic="live"})' % s, instant=true),
                  g.target('service:http_server_request_errors:ratio_rate5m{%s}' % s, instant=true),
                  g.target('max by (service, environment, tier) (service_quantile:http_server_request_duration_seconds:histogram_quantile_rate5m{%s, traffic="live", quantile="0.99"})' % s, instant=true),
                  g.target(burn('service:http_server_request_errors:ratio_rate1h', 'availability'), instant=true),
                  g.target(burn('service:http_server_request_slow:ratio_rate1h', 'latency'), instant=true),
                ],
                [
                  { title: 'Requests/s', unit: 'reqps' },
                  { title: 'Error ratio', unit: 'percentunit', thresholds: [{ color: 'orange', value: 0.001 }, { color: 'red', value: 0.01 }] },
                  { title: 'p99', unit: 's' },
                  { title: 'Availability burn (1h)', unit: 'none', thresholds: [{ color: 'orange', value: 1 }, { color: 'red', value: 14.4 }] },
                  { title: 'Latency burn (1h)', unit: 'none', thresholds: [{ color: 'orange', value: 1 }, { color: 'red', value: 14.4 }] },
                ],
                [serviceLink],
              ),
            ],
          },
          {
            title: 'Burn rates',
            panels: [
              g.timeseries('Availability burn rate (1h)', 'Error ratio over the last hour divided by the budget of the service\'s tier.', [g.target(burn('service:http_server_request_errors:ratio_rate1h', 'availability'), '{{service}} (tier {{tier}})')], 'none', min=0),
              g.timeseries('Latency burn rate (1h)', 'Share of slow requests over the last hour divided by the budget of the service\'s tier.', [g.target(burn('service:http_server_request_slow:ratio_rate1h', 'latency'), '{{service}} (tier {{tier}})')], 'none', min=0),
            ],
          },
          {
            title: 'Traffic by tier',
            panels: [
              g.timeseries('Requests by tier', 'Requests per second by tier and traffic (live or shadow).', [g.target('sum by (tier, traffic) (service:http_server_requests:rate5m{%s})' % s, 'tier {{tier}} {{traffic}}')], 'reqps', min=0, stack=true),
              g.timeseries('Errors by service', 'Failed live requests per second.', [g.target('sum by (service, tier) (service:http_server_request_errors:rate5m{%s, traffic="live"})' % s, '{{service}} (tier {{tier}})')], 'reqps', min=0, stack=true),
              g.timeseries('p99 latency by service', '99th percentile of live request duration.', [g.target('max by (service, tier) (service_quantile:http_server_request_duration_seconds:histogram_quantile_rate5m{%s, traffic="live", quantile="0.99"})' % s, '{{service}} (tier {{tier}})')], 's', min=0),
            ],
          },
          {
            title: 'Alerts',
            height: 6,
            panels: [
              g.table(
                'Firing alerts',
                'Vigil alerts firing now, by service and severity.',
                [g.target('count by (alertname, service, environment, severity) (ALERTS{alertstate="firing", alertname=~"Vigil.*", %s})' % 'environment=~"$environment"', instant=true)],
                [{ title: 'Alerts', unit: 'none' }],
              ),
            ],
          },
        ],
      ),
  },
}
