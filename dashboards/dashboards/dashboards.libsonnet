(import 'golden-signals.libsonnet')
+ (import 'runtime.libsonnet')
+ (import 'log-pipeline.libsonnet')
+ (import 'fleet.libsonnet')
