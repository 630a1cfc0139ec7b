import type { Counter } from 'prom-client';

/**
 * Caps the label sets each metric may hold. A label set seen before is always admitted; a new one
 * beyond the cap is refused and counted, so a runaway label costs one counter increment, not memory.
 */
export class SeriesGuard {
  private readonly seen = new Map<string, Set<string>>();

  constructor(
    private readonly maxPerMetric: number,
    private readonly dropped: Counter<'metric'>,
  ) {}

  admit(metric: string, key: string): boolean {
    let keys = this.seen.get(metric);
    if (keys === undefined) {
      keys = new Set();
      this.seen.set(metric, keys);
    }
    if (keys.has(key)) return true;
    if (keys.size >= this.maxPerMetric) {
      this.dropped.inc({ metric });
      return false;
    }
    keys.add(key);
    return true;
  }
}
