import { createDiag, type Diag } from '../agent/diag';
import { unregisteredMetrics, type MetricFactory } from './metrics';
import type { ProfilerOptions } from './options';
import { runProfiler, type Profiler } from './profiler';
import { resolveProfilerSettings } from './settings';

/**
 * Starts the load-aware continuous profiler on its own (init() starts it as part of the agent).
 * Throws VigilConfigError when an option is invalid; never throws into the host after that.
 * Pass `metrics` (a MetricFactory over your prom-client registry) to export its own metrics.
 */
export function startProfiler(options: ProfilerOptions, deps: { diag?: Diag; metrics?: MetricFactory } = {}): Profiler {
  const settings = resolveProfilerSettings(options);
  return runProfiler(settings, { diag: deps.diag ?? createDiag(), metrics: deps.metrics ?? unregisteredMetrics });
}

export { pprofHandler, refusal } from './http';
export type { PprofAccess, ProfileSource } from './http';
export { ProfilerMetricNames } from './metrics';
export type { MetricFactory } from './metrics';
export { PROFILER_DEFAULTS } from './options';
export type { ProfileIdentity, ProfileKind, ProfilerOptions, ProfileTrigger } from './options';
export type { Profiler } from './profiler';
export type { ProfileStore, StoredProfile } from './store';
