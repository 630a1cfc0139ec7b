// Severity of an alert whose series carry a `tier` label: the tier's own severity, chosen when the
// alert fires, as a Go template in the label (Prometheus expands label templates).
function(config)
  local paging = [tier for tier in std.objectFields(config.tiers) if config.tiers[tier].severity == 'page'];
  if std.length(paging) == 0 then 'ticket'
  else '{{ if eq $labels.tier %s }}page{{ else }}ticket{{ end }}' % std.join(' ', ['"%s"' % t for t in paging])
