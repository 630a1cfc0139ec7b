import { Counter, Gauge, type CounterConfiguration, type GaugeConfiguration } from 'prom-client';

/** Where the profiler's metrics are registered; the agent's MetricsRegistry is one. */
export interface MetricFactory {
  counter<T extends string>(config: CounterConfiguration<T>): Counter<T>;
  gauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T>;
}

/** Metrics kept without a registry, for the profiler used on its own. */
export const unregisteredMetrics: MetricFactory = {
  counter: (config) => new Counter({ ...config, registers: [] }),
  gauge: (config) => new Gauge({ ...config, registers: [] }),
};

export const ProfilerMetricNames = {
  profiles: 'vigil_profiles_total',
  cpuSeconds: 'vigil_profiler_cpu_seconds_total',
  storeBytes: 'vigil_profile_store_bytes',
  dropped: 'vigil_profiles_dropped_total',
} as const;

export interface ProfilerMetrics {
  readonly profiles: Counter<'kind' | 'trigger'>;
  readonly cpuSeconds: Counter;
  readonly dropped: Counter<'reason'>;
}

export function createProfilerMetrics(factory: MetricFactory, storeBytes: () => number): ProfilerMetrics {
  factory.gauge({
    name: ProfilerMetricNames.storeBytes,
    help: 'Bytes held by the on-disk profile store.',
    collect() {
      this.set(storeBytes());
    },
  });
  return {
    profiles: factory.counter({
      name: ProfilerMetricNames.profiles,
      help: 'Profiles taken, by kind (cpu, heap) and trigger (baseline, load, stall, heap_threshold, on_demand).',
      labelNames: ['kind', 'trigger'],
    }),
    cpuSeconds: factory.counter({ name: ProfilerMetricNames.cpuSeconds, help: 'CPU time the profiler itself spent, in seconds.' }),
    dropped: factory.counter({
      name: ProfilerMetricNames.dropped,
      help: 'Profiles lost before reaching the store or the push endpoint, by reason.',
      labelNames: ['reason'],
    }),
  };
}
