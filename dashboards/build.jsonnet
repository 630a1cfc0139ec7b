// Renders the mixin into the files deploy/ uses: `npm run dashboards` writes them under build/.
local mixin = import 'mixin.libsonnet';
local yaml(value) = std.manifestYamlDoc(value, indent_array_in_object=true) + "\n";
local json(value) = std.manifestJsonEx(value, '  ') + '\n';

{
  'prometheus/rules.yaml': yaml(mixin.prometheusRules),
  'prometheus/alerts.yaml': yaml(mixin.prometheusAlerts),
  'alertmanager/alertmanager.yml': yaml(mixin.alertmanagerConfig),
  'grafana/provisioning/datasources/vigil.yaml': yaml(mixin.grafanaProvisioning.datasources),
  'grafana/provisioning/dashboards/vigil.yaml': yaml(mixin.grafanaProvisioning.dashboards),
  'kibana/saved-objects.ndjson': std.join('', [std.manifestJsonMinified(object) + '\n' for object in mixin.kibanaSavedObjects]),
}
+ {
  ['grafana/dashboards/%s' % name]: json(mixin.grafanaDashboards[name])
  for name in std.objectFields(mixin.grafanaDashboards)
}
