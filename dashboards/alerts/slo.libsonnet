// Multi-window, multi-burn-rate SLO alerts (SRE workbook, chapter 5) for availability and latency,
// one rule per tier and window pair, over the ratios recorded in rules/http.libsonnet.
local promql = import '../lib/promql.libsonnet';

{
  local c = $._config,

  local sli = {
    availability: {
      alert: 'VigilAvailabilityBudgetBurn',
      ratio: 'service:http_server_request_errors:ratio_rate',
      what(tier): 'failed',
      target(tier): c.tiers[tier].availability,
    },
    latency: {
      alert: 'VigilLatencyBudgetBurn',
      ratio: 'service:http_server_request_slow:ratio_rate',
      what(tier): 'took longer than %ss' % promql.num(c.tiers[tier].latencyThresholdSeconds),
      target(tier): c.tiers[tier].latency,
    },
  },

  local burnAlert(name, tier, burn) =
    local s = sli[name];
    local budget = 1 - s.target(tier);
    local limit = promql.num(burn.factor * budget);
    {
      alert: s.alert,
      expr: |||
        %(ratio)s%(long)s{tier="%(tier)s"} > %(limit)s
        and
        %(ratio)s%(short)s{tier="%(tier)s"} > %(limit)s
      ||| % { ratio: s.ratio, long: burn.long, short: burn.short, tier: tier, limit: limit },
      'for': burn['for'],
      labels: {
        severity: if burn.speed == 'fast' then c.tiers[tier].severity else 'ticket',
        slo: name,
        tier: tier,
        long_window: burn.long,
        short_window: burn.short,
      },
      annotations: {
        summary: '{{ $labels.service }} in {{ $labels.environment }} burns its %s error budget %s times too fast.' % [name, promql.num(burn.factor)],
        description: '{{ $value | humanizePercentage }} of live requests to {{ $labels.service }} ({{ $labels.environment }}, tier %(tier)s) %(what)s over the last %(long)s, and the last %(short)s agrees. The tier %(tier)s SLO is %(target)s%%, which allows %(budget)s%%; at this rate the 30-day budget lasts %(days)s days.' % {
          tier: tier,
          what: s.what(tier),
          long: burn.long,
          short: burn.short,
          target: promql.num(100 * s.target(tier)),
          budget: promql.num(100 * budget),
          days: '%.3g' % (30 / burn.factor),
        },
      },
    },

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'vigil.slo.alerts',
        rules: [
          burnAlert(name, tier, burn)
          for name in ['availability', 'latency']
          for tier in std.objectFields(c.tiers)
          for burn in c.burnRates
        ],
      },
    ],
  },
}
