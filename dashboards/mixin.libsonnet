// Vigil's monitoring mixin: Grafana dashboards, Prometheus recording rules and alerts, sharing
// one `_config` (config.libsonnet) that a deployment overrides from its own jsonnet.
(import 'config.libsonnet')
+ (import 'rules/http.libsonnet')
+ (import 'alerts/alerts.libsonnet')
+ (import 'dashboards/dashboards.libsonnet')
+ (import 'alertmanager/alertmanager.libsonnet')
+ (import 'grafana/provisioning.libsonnet')
+ (import 'kibana/saved-objects.libsonnet')
