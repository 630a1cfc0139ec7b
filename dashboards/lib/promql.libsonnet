// Small helpers for writing PromQL in jsonnet without stray commas or float noise.
{
  // Joins label matchers, skipping empty ones: selector(['', 'a="b"']) == 'a="b"'.
  selector(matchers):: std.join(', ', [m for m in matchers if m != '']),

  // A metric with label matchers, without empty braces: metric('up', ['']) == 'up'.
  metric(name, matchers)::
    local s = self.selector(matchers);
    if s == '' then name else '%s{%s}' % [name, s],

  // A number as PromQL and Prometheus's own label values print it (0.99, not 0.98999999999999999).
  num(value):: '%g' % value,

  // Matcher for one or more tiers: tiers(['1', '2']) == 'tier=~"1|2"'.
  tiers(names):: 'tier=~"%s"' % std.join('|', names),

  // A Prometheus duration of one unit ('5m', '1d') in seconds, to order windows.
  seconds(duration)::
    local units = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
    std.parseInt(std.substr(duration, 0, std.length(duration) - 1)) * units[duration[std.length(duration) - 1]],

  // The labels every series carries, by which service-level aggregations keep their identity.
  identity:: 'service, environment, tier',
}
