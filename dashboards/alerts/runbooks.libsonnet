// Adds each alert's runbook link in one place: <runbookUrlBase><AlertName in kebab-case>.md.
local kebab(name) =
  std.join('', [
    local ch = name[i];
    local lower = std.asciiLower(ch);
    if ch != lower && i > 0 then '-' + lower else lower
    for i in std.range(0, std.length(name) - 1)
  ]);

{
  runbookName(alert):: kebab(alert),

  prometheusAlerts+:: {
    groups: [
      group {
        rules: [
          rule { annotations+: { runbook_url: $._config.runbookUrlBase + kebab(rule.alert) + '.md' } }
          for rule in super.rules
        ],
      }
      for group in super.groups
    ],
  },
}
