import type { ProfileTrigger } from './options';

/** How loaded the process was over the last tick. */
export interface LoadSample {
  /** Process CPU time per wall time (1 = one core busy). */
  readonly cpuUtilization: number;
  /** 99th percentile of event-loop delay, in milliseconds. */
  readonly eventLoopDelayP99Ms: number;
}

export interface DutyCycleSettings {
  readonly baselineIntervalMs: number;
  readonly windowMs: number;
  readonly busyCpuUtilization: number;
  readonly busyEventLoopDelayMs: number;
  readonly overheadBudget: number;
}

/** The sampler as the scheduler sees it on one tick. */
export interface SamplerState {
  readonly attached: boolean;
  /** When the current window began, in ms since the epoch. */
  readonly windowStartedAt: number | undefined;
  /** Why the current window is being recorded. */
  readonly trigger: ProfileTrigger | undefined;
}

/** What the scheduler wants done on this tick. */
export type ScheduleAction =
  | { readonly type: 'none' }
  | { readonly type: 'attach'; readonly next: 'baseline' | 'load' }
  | { readonly type: 'cut'; readonly next: 'baseline' | 'load' }
  | { readonly type: 'detach' };

/** Quiet ticks in a row before a busy process counts as idle again, so a short lull does not flap. */
const QUIET_TICKS_TO_IDLE = 2;
/** After going over budget, sampling resumes once the last minute's spend is below this share of it. */
const RESUME_SHARE_OF_BUDGET = 0.5;

/**
 * The load-aware duty cycle. An idle process yields one baseline profile per baseline interval;
 * a busy one (CPU or event-loop delay over its threshold) one profile per window, and the first
 * within a tick of the load arriving. When the profiler's own CPU over the last minute reaches the
 * budget, sampling stops until the spend has fallen well below it. Pure: time and load come in.
 */
export class DutyCycle {
  private quietTicks = QUIET_TICKS_TO_IDLE;

  constructor(private readonly settings: DutyCycleSettings) {}

  /** True while the last load sample, or one of the few before it, was over a threshold. */
  get busy(): boolean {
    return this.quietTicks < QUIET_TICKS_TO_IDLE;
  }

  /** Decides this tick's step; `spentShare` is the profiler's CPU over the last minute per one core. */
  next(now: number, load: LoadSample, spentShare: number, sampler: SamplerState): ScheduleAction {
    const overLimit =
      load.cpuUtilization > this.settings.busyCpuUtilization || load.eventLoopDelayP99Ms > this.settings.busyEventLoopDelayMs;
    this.quietTicks = overLimit ? 0 : this.quietTicks + 1;
    const wanted = this.busy ? 'load' : 'baseline';

    if (!sampler.attached) {
      const resume = spentShare < this.settings.overheadBudget * RESUME_SHARE_OF_BUDGET;
      return resume ? { type: 'attach', next: wanted } : { type: 'none' };
    }
    // On-demand windows run to the length their caller asked for.
    if (sampler.trigger !== 'baseline' && sampler.trigger !== 'load') return { type: 'none' };
    if (spentShare >= this.settings.overheadBudget) return { type: 'detach' };
    if (sampler.trigger === 'baseline' && wanted === 'load') return { type: 'cut', next: 'load' };
    const length = sampler.trigger === 'load' ? this.settings.windowMs : this.settings.baselineIntervalMs;
    if (now - (sampler.windowStartedAt ?? now) >= length) return { type: 'cut', next: wanted };
    return { type: 'none' };
  }
}
