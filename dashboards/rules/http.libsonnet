// Recording rules for the expressions dashboards and SLO alerts evaluate over and over:
// request rates, latency histograms per service, and the SLI ratios over every alert window.
local promql = import '../lib/promql.libsonnet';

{
  local c = $._config,
  local count(extra) = promql.metric('http_server_request_duration_seconds_count', [c.agentSelector] + extra),
  local bucket(extra) = promql.metric('http_server_request_duration_seconds_bucket', [c.agentSelector] + extra),
  local byIdentity = 'sum by (%s)' % promql.identity,
  local byTraffic = 'sum by (%s, traffic)' % promql.identity,
  local live = 'traffic="live"',
  // The `le` label of the bucket at a tier's latency threshold, which has to be a bucket boundary.
  local thresholdBucket(tier) =
    local threshold = c.tiers[tier].latencyThresholdSeconds;
    if std.member(c.latencyBuckets, threshold) then promql.num(threshold)
    else error 'tier %s: latencyThresholdSeconds %s is not a histogram bucket; use one of %s' % [tier, promql.num(threshold), std.join(', ', std.map(promql.num, c.latencyBuckets))],

  // Every window an SLO alert looks at, short and long, each once.
  sloWindows:: std.set(std.flattenArrays([[b.short, b.long] for b in c.burnRates]), promql.seconds),

  prometheusRules+:: {
    groups+: [
      {
        name: 'vigil.http.rules',
        rules: [
          {
            record: 'service:http_server_requests:rate5m',
            expr: '%s (rate(%s[5m]))' % [byTraffic, count([])],
          },
          {
            record: 'service:http_server_request_errors:rate5m',
            expr: '%s (rate(%s[5m]))' % [byTraffic, count([c.errorSelector])],
          },
          {
            record: 'service_le:http_server_request_duration_seconds_bucket:rate5m',
            expr: 'sum by (%s, traffic, le) (rate(%s[5m]))' % [promql.identity, bucket([])],
          },
        ] + [
          {
            record: 'service_quantile:http_server_request_duration_seconds:histogram_quantile_rate5m',
            expr: 'histogram_quantile(%s, service_le:http_server_request_duration_seconds_bucket:rate5m)' % quantile,
            labels: { quantile: quantile },
          }
          for quantile in ['0.5', '0.95', '0.99']
        ],
      },
      {
        name: 'vigil.slo.rules',
        rules: [
          {
            // Services without a single failure get 0 rather than no series, so the fleet view lists them.
            record: 'service:http_server_request_errors:ratio_rate%s' % window,
            expr: |||
              (
                %(by)s (rate(%(errors)s[%(w)s]))
                or
                0 * %(by)s (rate(%(all)s[%(w)s]))
              )
              /
              %(by)s (rate(%(all)s[%(w)s]))
            ||| % { by: byIdentity, errors: count([live, c.errorSelector]), all: count([live]), w: window },
          }
          for window in $.sloWindows
        ] + [
          {
            // Each tier has its own threshold, so each takes the bucket at its threshold.
            record: 'service:http_server_request_slow:ratio_rate%s' % window,
            expr: std.join('or\n', [
              |||
                (
                  1 - %(by)s (rate(%(fast)s[%(w)s]))
                  /
                  %(by)s (rate(%(all)s[%(w)s]))
                )
              ||| % {
                by: byIdentity,
                fast: bucket([live, 'tier="%s"' % tier, 'le="%s"' % thresholdBucket(tier)]),
                all: count([live, 'tier="%s"' % tier]),
                w: window,
              }
              for tier in std.objectFields(c.tiers)
            ]),
          }
          for window in $.sloWindows
        ],
      },
    ],
  },
}
