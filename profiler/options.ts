/** Options of the profiler; each has a default that suits a production service. */
export interface ProfilerOptions {
  /** Service identity written into every profile's labels and push names. */
  identity: ProfileIdentity;
  /** Folder of the rolling on-disk store; undefined keeps profiles in memory only. @default undefined */
  storeDir?: string;
  /** Most bytes the on-disk store may hold; the oldest profiles go first. @default 64 MiB */
  storeMaxBytes?: number;
  /** Pyroscope-compatible server that profiles are pushed to (its /ingest). @default undefined */
  pushUrl?: string;
  /** Share of one core the profiler may spend, averaged over a minute. @default 0.01 */
  overheadBudget?: number;
  /** Length of one CPU profile window in milliseconds. @default 10000 */
  windowMs?: number;
  /** How often an idle process is profiled anyway, in milliseconds. @default 60000 */
  baselineIntervalMs?: number;
  /** Average time between CPU samples in microseconds; each sample costs V8 CPU time. @default 50000 (20 Hz) */
  samplingIntervalMicros?: number;
  /** Process CPU use (1 = one core) above which the process counts as busy. @default 0.5 */
  busyCpuUtilization?: number;
  /** Event-loop delay p99 in milliseconds above which the process counts as busy. @default 100 */
  busyEventLoopDelayMs?: number;
  /** A main thread blocked longer than this, in milliseconds, gets a profile of its own from the samples taken meanwhile. @default 500 */
  stallThresholdMs?: number;
  /** Share of the V8 heap limit in use that triggers a heap profile. @default 0.8 */
  heapThreshold?: number;
}

/** Who the profiles belong to. */
export interface ProfileIdentity {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly tier: number;
}

export type ProfilerSettings = Required<Omit<ProfilerOptions, 'storeDir' | 'pushUrl'>> & Pick<ProfilerOptions, 'storeDir' | 'pushUrl'>;

export const PROFILER_DEFAULTS = Object.freeze({
  storeMaxBytes: 64 * 1024 * 1024,
  overheadBudget: 0.01,
  windowMs: 10_000,
  baselineIntervalMs: 60_000,
  samplingIntervalMicros: 50_000,
  busyCpuUtilization: 0.5,
  busyEventLoopDelayMs: 100,
  stallThresholdMs: 500,
  heapThreshold: 0.8,
});

/** Why a profile was taken; the `trigger` label of vigil_profiles_total. */
export type ProfileTrigger = 'baseline' | 'load' | 'stall' | 'heap_threshold' | 'on_demand';
export type ProfileKind = 'cpu' | 'heap';
