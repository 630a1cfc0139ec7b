import { Profile, Sample } from 'pprof-format';
import type { SampleLabels } from './cpu-sampler';

/** The label that marks, in a CPU window, the samples taken while the event loop was blocked. */
export const STALL_LABEL = 'stall';

/** A time the event loop did not turn. */
export interface Stall {
  readonly startedAt: Date;
  readonly endedAt: Date;
}

/**
 * Calls `onStall` after each time the event loop was blocked longer than `thresholdMs`: a blocked
 * loop runs no timer, so a heartbeat that comes late by that much marks the stall once the loop
 * turns again. The stacks are V8's sampler's, taken from its own thread meanwhile: a watchdog
 * thread of our own that sampled through the inspector held some 18 MiB of resident memory for
 * the same stacks. The timer does not keep the process alive.
 */
export function watchForStalls(thresholdMs: number, onStall: (stall: Stall) => void): () => void {
  const heartbeatMs = Math.max(10, Math.min(100, thresholdMs / 5));
  // Measured on the monotonic clock, so that a step of the wall clock is no stall. The first beat
  // only starts the count: loading the application's modules at start-up blocks the loop too, but
  // is no stall worth a profile.
  let lastBeat: number | undefined;
  const timer = setInterval(() => {
    const now = performance.now();
    const sinceLastBeat = now - (lastBeat ?? now);
    lastBeat = now;
    if (sinceLastBeat <= thresholdMs) return;
    const endedAt = Date.now();
    onStall({ startedAt: new Date(endedAt - sinceLastBeat), endedAt: new Date(endedAt) });
  }, heartbeatMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** `labels`, plus the stall label on samples taken during `stall`. */
export function labelStallSamples(stall: Stall, labels: SampleLabels): SampleLabels {
  return (sample) => {
    const own = labels(sample);
    const at = sample.context?.timestamp;
    if (at === undefined) return own;
    const ms = Number(at) / 1000;
    return ms >= stall.startedAt.getTime() && ms <= stall.endedAt.getTime() ? { ...own, [STALL_LABEL]: 'true' } : own;
  };
}

/**
 * The samples of a CPU window that carry the stall label, as a profile of their own (sharing the
 * window's locations and strings); undefined when there are none. Where samples keep no time
 * (Node.js before 24), the whole window stands for the stall.
 */
export function stallProfile(window: Profile, stall: Stall, samplesTimed: boolean): Profile | undefined {
  const key = window.stringTable.dedup(STALL_LABEL);
  const sample = window.sample
    .filter((candidate) => !samplesTimed || candidate.label.some((label) => label.key === key))
    // Copies, because encoding a profile adds labels to its samples.
    .map((stalled) => new Sample({ locationId: stalled.locationId, value: stalled.value, label: [...stalled.label] }));
  if (sample.length === 0) return undefined;
  return new Profile({
    ...window,
    sample,
    timeNanos: BigInt(stall.startedAt.getTime()) * 1_000_000n,
    durationNanos: BigInt(stall.endedAt.getTime() - stall.startedAt.getTime()) * 1_000_000n,
  });
}
