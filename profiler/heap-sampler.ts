import { heap } from '@datadog/pprof';
import type { Profile } from 'pprof-format';
import { getHeapStatistics } from 'node:v8';

/** One sample per 512 KiB allocated on average: V8's default, cheap enough to leave on. */
const SAMPLE_INTERVAL_BYTES = 512 * 1024;
const STACK_DEPTH = 64;

/** V8's sampling heap profiler, left running so a heap profile can be read at any moment. */
export class HeapSampler {
  private running = false;

  /**
   * Starts sampling; throws when V8's heap profiler is already running with other settings.
   * `onNearLimit` receives the heap profile when V8 is about to fail an allocation for want of
   * heap: V8 grants the heap one young generation more, once, so the profile can still be kept.
   */
  start(onNearLimit: (profile: Profile) => void): void {
    heap.start(SAMPLE_INTERVAL_BYTES, STACK_DEPTH);
    this.running = true;
    heap.monitorOutOfMemory('auto', 1, false, undefined, onNearLimit, heap.CallbackMode.Async);
  }

  /** Live sampled allocations by allocating stack, in pprof (inuse_objects, inuse_space). */
  snapshot(): Profile | undefined {
    return this.running ? heap.profile() : undefined;
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    heap.stop();
  }
}

/**
 * Share of the heap limit in use now. V8's heap_size_limit includes room for the young generation,
 * which on a small heap is most of it: with --max-old-space-size=128 the limit is over 300 MB and
 * the process runs out of memory at about 130 MB. So where that flag is given, it is the limit.
 */
export function heapUsedShare(): number {
  const stats = getHeapStatistics();
  const limit = Math.min(stats.heap_size_limit, maxOldSpaceBytes() ?? Number.POSITIVE_INFINITY);
  return limit > 0 ? stats.used_heap_size / limit : 0;
}

let maxOldSpace: number | undefined | null = null;

/** --max-old-space-size from the command line or NODE_OPTIONS, in bytes; read once. */
function maxOldSpaceBytes(): number | undefined {
  if (maxOldSpace === null) {
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
    const megabytes = flags.map((flag) => /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(flag)?.[1]).findLast((value) => value !== undefined);
    maxOldSpace = megabytes === undefined ? undefined : Number(megabytes) * 1024 * 1024;
  }
  return maxOldSpace;
}
