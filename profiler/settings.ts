import { VigilConfigError } from '../agent/errors';
import { PROFILER_DEFAULTS, type ProfilerOptions, type ProfilerSettings } from './options';

interface Range {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

const RANGES: Record<keyof typeof PROFILER_DEFAULTS, Range> = {
  storeMaxBytes: { min: 1024, max: Number.MAX_SAFE_INTEGER, integer: true },
  overheadBudget: { min: 0.0001, max: 1, integer: false },
  windowMs: { min: 100, max: 600_000, integer: true },
  baselineIntervalMs: { min: 1000, max: 86_400_000, integer: true },
  samplingIntervalMicros: { min: 100, max: 1_000_000, integer: true },
  busyCpuUtilization: { min: 0, max: 1024, integer: false },
  busyEventLoopDelayMs: { min: 1, max: 60_000, integer: true },
  stallThresholdMs: { min: 50, max: 600_000, integer: true },
  heapThreshold: { min: 0.05, max: 1, integer: false },
};

/** Checks the profiler's options once and fills in defaults; throws VigilConfigError naming the bad one. */
export function resolveProfilerSettings(options: ProfilerOptions): ProfilerSettings {
  const identity = options.identity as ProfilerOptions['identity'] | undefined;
  if (identity === undefined || typeof identity.service !== 'string' || identity.service === '') {
    throw new VigilConfigError('identity', identity, 'an object with service, version, environment and tier');
  }
  const numbers: Record<keyof typeof PROFILER_DEFAULTS, number> = { ...PROFILER_DEFAULTS };
  for (const key of Object.keys(RANGES) as (keyof typeof PROFILER_DEFAULTS)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const range = RANGES[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value)) || value < range.min || value > range.max) {
      throw new VigilConfigError(key, value, `${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`);
    }
    numbers[key] = value;
  }
  if (options.storeDir !== undefined && (typeof options.storeDir !== 'string' || options.storeDir.trim() === '')) {
    throw new VigilConfigError('storeDir', options.storeDir, 'a folder path');
  }
  if (options.pushUrl !== undefined && !isHttpUrl(options.pushUrl)) {
    throw new VigilConfigError('pushUrl', options.pushUrl, 'an http:// or https:// URL of a Pyroscope-compatible server');
  }
  return Object.freeze({ ...numbers, identity: Object.freeze({ ...identity }), storeDir: options.storeDir, pushUrl: options.pushUrl });
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
