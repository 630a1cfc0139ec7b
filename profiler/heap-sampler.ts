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
 * Share of V8's heap limit in use now. The limit includes room for the young generation, so on a
 * small heap OOM comes before a high share does; the near-limit callback covers that case.
 */
export function heapUsedShare(): number {
  const stats = getHeapStatistics();
  return stats.heap_size_limit > 0 ? stats.used_heap_size / stats.heap_size_limit : 0;
}
