/**
 * What the main thread and the shipping worker share. Counters live in shared memory so the exit
 * path can wait on them synchronously (Atomics.wait) while the worker keeps talking to Kafka, and so
 * metrics read them at scrape time without a message round trip.
 */

/** Slots of the shared BigInt64Array; 64-bit so a long-lived service never wraps. */
export const Slot = {
  /** Lines whose fate is final: acknowledged by Kafka, dropped, or spilled to disk on the way out. */
  settled: 0,
  shipped: 1,
  spooled: 2,
  droppedSpoolFull: 3,
  droppedSpoolError: 4,
  droppedTooLarge: 5,
  /** Bytes the worker has taken off its message port; bounds what the main thread keeps in flight. */
  receivedBytes: 6,
} as const;

export const SLOT_COUNT = 7;

/** Shadow lines go to `<topic>-shadow`; in the worker's queues and the spool they carry this prefix. */
export const SHADOW_PREFIX = '!';

export interface ShipperSettings {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Message key: one service's lines share a partition and so keep their order. */
  readonly key: string;
  readonly clientId: string;
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  readonly bufferMaxBytes: number;
  readonly batchMaxBytes: number;
  readonly lingerMs: number;
}

export interface WorkerInput {
  readonly settings: ShipperSettings;
  readonly counters: SharedArrayBuffer;
}

/** Lines from the main thread, already newline-terminated, concatenated per topic. */
export interface LinesMessage {
  readonly type: 'lines';
  readonly live: string;
  readonly shadow: string;
  readonly bytes: number;
}

/** Ship what is queued now, without waiting for the linger time. */
export interface FlushMessage {
  readonly type: 'flush';
}

/** The process is exiting: whatever is not acknowledged by `deadline` (epoch ms) goes to the spool. */
export interface ExitMessage {
  readonly type: 'exit';
  readonly deadline: number;
}

export interface CloseMessage {
  readonly type: 'close';
}

export type ToWorker = LinesMessage | FlushMessage | ExitMessage | CloseMessage;
