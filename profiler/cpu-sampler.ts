import { time } from '@datadog/pprof';
import type { Profile } from 'pprof-format';
import type { ProfilerCpuClock } from './overhead';

/** One window of CPU samples, labelled but not yet encoded. */
export interface CpuWindow {
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly profile: Profile;
  /** Whether the labels were made knowing when each sample was taken (Node.js 24 and later). */
  readonly samplesTimed: boolean;
}

/** The labels of one sample, from the value its async context held and when it was taken (µs since the epoch). */
export type SampleLabels = (sample: { context?: { context?: unknown; timestamp?: bigint } }) => Record<string, string>;

/** Where V8's sampler counts the samples of the current window in the state it shares. */
const SAMPLE_COUNT_SLOT = time.constants.kSampleCount as number;

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
  private withContexts = false;
  private state: Uint32Array | undefined;

  constructor(
    private readonly intervalMicros: number,
    private readonly clock: ProfilerCpuClock,
  ) {}

  get attached(): boolean {
    return this.windowStartedAt !== undefined;
  }

  /** Whether samples taken now keep the span tag of their async context. */
  get tagsSpans(): boolean {
    return this.attached && this.withContexts;
  }

  /** Samples taken since the current window began. */
  get windowSamples(): number {
    return this.state?.[SAMPLE_COUNT_SLOT] ?? 0;
  }

  /** When the current window began; undefined while detached. */
  get startedAt(): Date | undefined {
    return this.windowStartedAt;
  }

  /**
   * Attaches V8's profiler, keeping with each sample the span ids of the async context it was taken
   * in where Node.js keeps async context in frames (24 and later); throws when another profiler
   * (such as a tracer's) already runs.
   */
  attach(): void {
    if (this.attached) return;
    // With @datadog/pprof's `workaroundV8Bug` on, every cut puts the main thread to sleep until two
    // more of V8's sampling signals have come (some 100 ms at 20 Hz): a pause of the service every
    // window, which no CPU clock shows. The workaround only makes a stuck V8 event processor less
    // likely; the library still finds one at the cut and starts the profiler over.
    const options = { intervalMicros: this.intervalMicros, durationMillis: MAX_WINDOW_MS, workaroundV8Bug: false };
    this.clock.measure(() => {
      try {
        time.start({ ...options, withContexts: true, useCPED: true });
        this.withContexts = true;
      } catch {
        time.start({ ...options, withContexts: false });
        this.withContexts = false;
      }
    });
    this.state = time.getState() as Uint32Array;
    this.windowStartedAt = new Date();
  }

  /**
   * Ends the current window and starts the next at once; the ended window's samples are returned,
   * labelled by `labels` where samples keep their context.
   */
  cut(labels: SampleLabels): CpuWindow | undefined {
    return this.end(true, labels);
  }

  /** Ends the current window and detaches V8's profiler. */
  detach(labels: SampleLabels): CpuWindow | undefined {
    return this.end(false, labels);
  }

  private end(restart: boolean, labels: SampleLabels): CpuWindow | undefined {
    const startedAt = this.windowStartedAt;
    if (startedAt === undefined) return undefined;
    this.windowStartedAt = restart ? new Date() : undefined;
    if (!restart) this.state = undefined;
    const profile = this.clock.measure(() => time.stop(restart, this.withContexts ? labels : undefined));
    return { startedAt, endedAt: this.windowStartedAt ?? new Date(), profile, samplesTimed: this.withContexts };
  }
}
