// Alertmanager routing: by severity (page or ticket) and, within pages, by tier; one notification per
// service, and symptom alerts held back while the service's target is down.
{
  local c = $._config,
  local causes = ['VigilTargetDown', 'VigilMetricsAbsent'],
  local alertNames = std.set([rule.alert for group in $.prometheusAlerts.groups for rule in group.rules]),
  local symptoms = [name for name in alertNames if !std.member(causes, name)],
  local pagingTiers = [tier for tier in std.objectFields(c.tiers) if c.tiers[tier].severity == 'page'],

  alertmanagerConfig:: {
    route: {
      receiver: 'ticket',
      group_by: ['service', 'environment'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '12h',
      routes: [
        {
          matchers: ['severity="page"'],
          receiver: 'page',
          group_wait: '10s',
          repeat_interval: '1h',
          // The most critical tier has a receiver of its own (a louder pager, an escalation) and is
          // re-notified soonest while it is unresolved.
          routes: [
            {
              matchers: ['tier="%s"' % pagingTiers[0]],
              receiver: 'page-critical',
              repeat_interval: '30m',
            },
          ],
        },
        {
          matchers: ['severity="ticket"'],
          receiver: 'ticket',
          group_wait: '5m',
          repeat_interval: '24h',
        },
      ],
    },
    inhibit_rules: [
      {
        // A service whose target is down cannot serve or export: its other alerts are symptoms.
        source_matchers: ['alertname="VigilTargetDown"'],
        target_matchers: ['alertname=~"%s"' % std.join('|', symptoms)],
        equal: ['service', 'environment'],
      },
      {
        // A page about a service says everything its ticket of the same alert would.
        source_matchers: ['severity="page"'],
        target_matchers: ['severity="ticket"'],
        equal: ['alertname', 'service', 'environment'],
      },
    ],
    receivers: [{ name: name } + c.alertmanager.receivers[name] for name in std.objectFields(c.alertmanager.receivers)],
  },
}
