// Pieces the dashboards share: variables, label selectors, links to traces, logs and profiles.
local g = import '../lib/grafana.libsonnet';
local promql = import '../lib/promql.libsonnet';

{
  new(config)::
    local c = config;
    {
      local common = self,
      // Series of the services chosen in the variables; runtime series are not split by traffic.
      service: promql.selector([c.agentSelector, 'environment=~"$environment"', 'tier=~"$tier"', 'service=~"$service"']),
      request: promql.selector([self.service, 'traffic=~"$traffic"']),
      collector: promql.selector([c.collectorSelector, 'environment=~"$environment"']),

      variables:: {
        datasource: g.datasourceVariable('datasource', 'prometheus', 'Data source'),
        environment: g.queryVariable('environment', 'Environment', 'label_values(%s, environment)' % promql.metric('vigil_service_info', [c.agentSelector])),
        tier: g.queryVariable('tier', 'Tier', 'label_values(%s, tier)' % promql.metric('vigil_service_info', [c.agentSelector, 'environment=~"$environment"'])),
        service: g.queryVariable('service', 'Service', 'label_values(%s, service)' % promql.metric('vigil_service_info', [c.agentSelector, 'environment=~"$environment"', 'tier=~"$tier"'])),
        instance: g.queryVariable('instance', 'Instance', 'label_values(%s, instance)' % promql.metric('vigil_service_info', [c.agentSelector, 'environment=~"$environment"', 'service=~"$service"'])),
        traffic: g.customVariable('traffic', 'Traffic', ['live', 'shadow'], 'live'),
      },

      // Discover in Kibana over the dashboard's time range, filtered by a KQL query.
      local kibanaDiscover(kql) =
        "%s/app/discover#/?_g=(time:(from:'${__from:date:iso}',to:'${__to:date:iso}'))&_a=(dataSource:(dataViewId:'%s',type:dataView),query:(language:kuery,query:'%s'))"
        % [c.kibanaUrl, c.kibana.dataViewId, kql],

      links:: {
        serviceLogs: g.link('Logs of ${__field.labels.service} in Kibana', kibanaDiscover('service.name:"${__field.labels.service}"')),
        serviceErrorLogs: g.link('Error logs of ${__field.labels.service} in Kibana', kibanaDiscover('service.name:"${__field.labels.service}" and log.level:(error or fatal)')),
        serviceTraces: g.link('Traces of ${__field.labels.service} in Jaeger', '%s/search?service=${__field.labels.service}&start=${__from}000&end=${__to}000' % c.jaegerUrl),
        cpuProfile: g.link('CPU profile of ${__field.labels.instance} (pprof, 10 s)', 'http://${__field.labels.instance}/debug/pprof/profile?seconds=10'),
        heapProfile: g.link('Heap profile of ${__field.labels.instance} (pprof)', 'http://${__field.labels.instance}/debug/pprof/heap'),
        traceLogs:: kibanaDiscover('trace.id:"${__value.raw}"'),
      },

      dashboardLinks:: [
        g.dashboardLink('Vigil dashboards', c.dashboardTags),
        g.link('Jaeger', c.jaegerUrl, 'Traces'),
        g.link('Kibana logs', "%s/app/discover#/?_a=(dataSource:(dataViewId:'%s',type:dataView))" % [c.kibanaUrl, c.kibana.dataViewId], 'Logs'),
      ],

      dashboard(title, uid, description, variables, rows):: g.dashboard(title, uid, description, c.dashboardTags, c.dashboardRefresh) {
        links: common.dashboardLinks,
        templating: { list: variables },
        panels: g.layout(rows),
      },
    },
}
