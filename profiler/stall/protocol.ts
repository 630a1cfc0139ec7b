/** What the main thread and the stall watchdog thread share. */

/** Slots of the shared Float64Array. */
export const Slot = {
  /** Date.now() of the main thread's last heartbeat; 0 until its event loop first turns. */
  heartbeat: 0,
  /** CPU seconds the watchdog thread has used so far. */
  watchdogCpuSeconds: 1,
} as const;

export const SLOT_COUNT = 2;

export interface WatchdogData {
  readonly shared: SharedArrayBuffer;
  readonly thresholdMs: number;
  /** How often the heartbeat is checked while the main thread runs freely. */
  readonly pollIntervalMs: number;
  /** How often the stack is sampled during a stall. */
  readonly sampleIntervalMs: number;
  readonly labels: Readonly<Record<string, string>>;
  /** After a kept stall profile, stalls are not profiled again for this long: under heavy load they come in runs. */
  readonly cooldownMs: number;
}

/** Posted by the watchdog when a stall has ended and its stacks were kept. */
export interface StallMessage {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly samples: number;
  /** Gzipped pprof. */
  readonly profile: Uint8Array;
}
