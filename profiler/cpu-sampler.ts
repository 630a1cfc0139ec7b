import { time } from '@datadog/pprof';
import type { Profile } from 'pprof-format';
import type { ProfilerCpuClock } from './overhead';

/** One window of CPU samples, not yet labelled or encoded. */
export interface CpuWindow {
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly profile: Profile;
}

/** Upper bound on one window, for V8's sample buffer; windows are cut well before it. */
const MAX_WINDOW_MS = 15 * 60_000;

/**
 * V8's sampling CPU profiler (wall time per stack), attached for as long as the budget
 * allows. It stays attached between windows on purpose: V8 records how optimized code inlines
 * functions only for code compiled while a profiler is attached, so a profiler attached after the
 * hot code was optimized would blame the caller of the hot function. A window is cut without
 * detaching, so no code information is lost between windows.
 */
export class CpuSampler {
  private windowStartedAt: Date | undefined;

  constructor(
    private readonly intervalMicros: number,
    private readonly clock: ProfilerCpuClock,
  ) {}

  get attached(): boolean {
    return this.windowStartedAt !== undefined;
  }

  /** When the current window began; undefined while detached. */
  get startedAt(): Date | undefined {
    return this.windowStartedAt;
  }

  /** Attaches V8's profiler; throws when another one (such as a tracer's) already runs. */
  attach(): void {
    if (this.attached) return;
    this.clock.measure(() =>
      time.start({ intervalMicros: this.intervalMicros, durationMillis: MAX_WINDOW_MS, withContexts: false }),
    );
    this.windowStartedAt = new Date();
  }

  /** Ends the current window and starts the next at once; the ended window's samples are returned. */
  cut(): CpuWindow | undefined {
    return this.end(true);
  }

  /** Ends the current window and detaches V8's profiler. */
  detach(): CpuWindow | undefined {
    return this.end(false);
  }

  private end(restart: boolean): CpuWindow | undefined {
    const startedAt = this.windowStartedAt;
    if (startedAt === undefined) return undefined;
    this.windowStartedAt = restart ? new Date() : undefined;
    const profile = this.clock.measure(() => time.stop(restart));
    return { startedAt, endedAt: this.windowStartedAt ?? new Date(), profile };
  }
}
