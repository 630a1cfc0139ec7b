/**
 * At most `perWindow` captures per key (route, status and error class) in each window: a route that
 * fails on every request should give one event to look at, not one per request.
 */
export class CaptureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly maxKeys = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  allow(key: string): boolean {
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) {
      // Bounded memory: a flood of distinct keys starts every window over rather than growing the map.
      if (window === undefined && this.windows.size >= this.maxKeys) this.windows.clear();
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count <= this.perWindow;
  }
}
