import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SLOT_COUNT, Slot, type StallMessage, type WatchdogData } from './protocol';

/** One stall profile a minute at most: attaching to the inspector costs the main thread tens of milliseconds. */
const STALL_COOLDOWN_MS = 60_000;

export interface StallProfile {
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly samples: number;
  /** Gzipped pprof of the main thread's stacks during the stall. */
  readonly data: Buffer;
}

export interface StallWatchdogOptions {
  readonly thresholdMs: number;
  readonly labels: Readonly<Record<string, string>>;
  onStall(profile: StallProfile): void;
  onError(error: Error): void;
}

export interface StallWatchdog {
  /** CPU seconds the watchdog thread has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/**
 * Starts the watchdog thread and the main thread's heartbeat it watches. The heartbeat is a timer
 * on the main event loop, so a blocked loop stops it; neither the timer nor the thread keeps the
 * process alive.
 */
export function startStallWatchdog(options: StallWatchdogOptions): StallWatchdog {
  const shared = new SharedArrayBuffer(SLOT_COUNT * Float64Array.BYTES_PER_ELEMENT);
  const slots = new Float64Array(shared);
  const beat = () => (slots[Slot.heartbeat] = Date.now());
  // The first beat comes once the event loop turns: loading the application's modules at start-up
  // blocks the loop too, but is no stall worth a profile.
  const heartbeatMs = Math.max(10, Math.min(100, options.thresholdMs / 5));
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();

  const data: WatchdogData = {
    shared,
    thresholdMs: options.thresholdMs,
    pollIntervalMs: Math.max(10, Math.min(250, options.thresholdMs / 2)),
    sampleIntervalMs: Math.max(10, Math.min(50, options.thresholdMs / 10)),
    labels: options.labels,
    cooldownMs: STALL_COOLDOWN_MS,
  };
  // An empty execArgv keeps preloads such as `--import vigil/register` from running in this thread.
  const worker = new Worker(join(__dirname, 'worker.js'), { workerData: data, execArgv: [] });
  worker.on('message', (message: StallMessage) => {
    options.onStall({
      startedAt: new Date(message.startedAt),
      endedAt: new Date(message.endedAt),
      samples: message.samples,
      data: Buffer.from(message.profile.buffer, message.profile.byteOffset, message.profile.byteLength),
    });
  });
  worker.on('error', options.onError);
  // After the listeners: adding a message listener takes a reference on the thread again.
  worker.unref();

  return {
    cpuSeconds: () => slots[Slot.watchdogCpuSeconds]!,
    async stop() {
      clearInterval(heartbeat);
      await worker.terminate();
    },
  };
}
