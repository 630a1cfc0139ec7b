import type { VigilConfig } from '../agent/config/options';
import type { Diag } from '../agent/diag';
import { ShutdownStage, type Flushable } from '../agent/lifecycle/shutdown';
import type { MetricsRegistry } from '../agent/metrics/registry';
import type { MetricsServer } from '../agent/metrics/server';
import { pprofHandler } from './http';
import { runProfiler } from './profiler';
import { PROFILER_DEFAULTS } from './options';

const PPROF_PREFIX = '/debug/pprof/';

/**
 * The profiler as part of the agent: its metrics in the agent's registry, its endpoints on the
 * metrics server (token or loopback only, as configured), its last window flushed at shutdown.
 */
export function startAgentProfiler(config: VigilConfig, diag: Diag, registry: MetricsRegistry, server: MetricsServer | undefined): Flushable | undefined {
  if (!config.profiler.enabled) return undefined;
  const { identity, profiler: options } = config;
  const profiler = runProfiler(
    {
      ...PROFILER_DEFAULTS,
      identity,
      storeDir: options.storeDir,
      storeMaxBytes: options.storeMaxBytes,
      pushUrl: options.pushUrl,
      overheadBudget: options.overheadBudget,
    },
    { diag, metrics: registry },
  );
  if (server !== undefined && options.endpoints) server.mount(PPROF_PREFIX, pprofHandler(profiler, { token: options.pprofToken }, PPROF_PREFIX));
  return { name: 'profiles', stage: ShutdownStage.profiles, close: (signal) => profiler.stop(signal) };
}
