import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Diag } from '../diag';
import { SharedCounters } from './counters';
import { SLOT_COUNT, Slot, type ShipperSettings, type ToWorker, type WorkerInput } from './protocol';
import { spoolHoldsLines } from './spool';

/** Lines are handed to the worker in chunks of about this size, or once per event-loop turn. */
const POST_BYTES = 64 * 1024;
const POLL_MS = 10;
const WORKER_EXIT_MS = 1000;

export type MainThreadDrop = 'queue_full' | 'worker_failed' | 'after_shutdown';

/**
 * The main thread's side of Kafka shipping: hands lines to the worker in chunks without waiting for
 * it, bounds what is in flight between the two, and on the way out (shutdown(), process.exit(), a
 * crash) waits, bounded, until the worker reports every line acknowledged by Kafka or spooled.
 * The worker (a thread with its own heap, some 12 MiB) starts with the first line, or at once when
 * an earlier run left lines in the spool to replay.
 */
export class KafkaShipper {
  readonly counters: SharedCounters;
  readonly drops: Record<MainThreadDrop, number> = { queue_full: 0, worker_failed: 0, after_shutdown: 0 };
  private worker: Worker | undefined;
  private live = '';
  private shadow = '';
  private pendingBytes = 0;
  private pendingLines = 0;
  private postedLines = 0;
  private postedBytes = 0;
  private scheduled = false;
  private workerAlive = true;
  private queueFull = false;
  private closing: Promise<void> | undefined;
  private readonly workerInput: WorkerInput;

  constructor(
    settings: ShipperSettings,
    private readonly maxInFlightBytes: number,
    private readonly exitWaitMs: number,
    private readonly diag: Diag,
    private readonly workerFile = join(__dirname, 'worker.js'),
  ) {
    const buffer = new SharedArrayBuffer(SLOT_COUNT * BigInt64Array.BYTES_PER_ELEMENT);
    this.counters = new SharedCounters(buffer);
    this.workerInput = { settings, counters: buffer };
    if (spoolHoldsLines(settings.spoolDir)) this.startWorker();
    process.on('exit', this.onExit);
  }

  push(line: string, shadow: boolean): void {
    if (shadow) this.shadow += line;
    else this.live += line;
    this.pendingBytes += line.length;
    this.pendingLines++;
    if (this.pendingBytes >= POST_BYTES) this.post();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.post);
    }
  }

  private startWorker(): Worker {
    const worker = new Worker(this.workerFile, {
      workerData: this.workerInput,
      // kafkajs sets negative timeouts that newer Node versions warn about; the worker reports its own state.
      execArgv: ['--no-warnings'],
    });
    // The worker must never keep the service alive; the exit path below gives it its last chance.
    worker.unref();
    worker.on('error', (error) => {
      this.diag.state('log-worker', 'failed', `log shipping worker failed (${error.message}); log lines for Kafka are dropped`);
    });
    worker.on('exit', () => (this.workerAlive = false));
    this.worker = worker;
    return worker;
  }

  /** Hands everything buffered to the worker now. */
  private readonly post = (): void => {
    this.scheduled = false;
    if (this.pendingLines === 0) return;
    const lines = this.pendingLines;
    const message: ToWorker = { type: 'lines', live: this.live, shadow: this.shadow, bytes: this.pendingBytes };
    this.live = '';
    this.shadow = '';
    this.pendingLines = 0;
    this.pendingBytes = 0;
    if (this.closing !== undefined || !this.workerAlive) {
      this.drops[this.closing !== undefined ? 'after_shutdown' : 'worker_failed'] += lines;
      return;
    }
    const inFlight = this.postedBytes - this.counters.read(Slot.receivedBytes);
    if (inFlight + message.bytes > this.maxInFlightBytes) {
      this.drops.queue_full += lines;
      this.queueFull = true;
      this.diag.state('log-queue', 'full', `log shipping worker is ${inFlight} bytes behind; dropping log lines until it catches up`);
      return;
    }
    if (this.queueFull) {
      this.queueFull = false;
      this.diag.state('log-queue', 'ok', 'log shipping worker caught up');
    }
    (this.worker ?? this.startWorker()).postMessage(message);
    this.postedLines += lines;
    this.postedBytes += message.bytes;
  };

  private settledAll(): boolean {
    return this.counters.read(Slot.settled) >= this.postedLines;
  }

  /** process.exit() and crashes end here with the event loop stopped: the wait has to block. */
  private readonly onExit = (): void => {
    this.post();
    const worker = this.worker;
    if (worker === undefined || !this.workerAlive || this.settledAll()) return;
    const deadline = Date.now() + this.exitWaitMs;
    worker.postMessage({ type: 'exit', deadline } satisfies ToWorker);
    if (!this.counters.waitSettled(this.postedLines, deadline)) {
      const missing = this.postedLines - this.counters.read(Slot.settled);
      this.diag.warn(`exiting with ${missing} log lines neither acknowledged by Kafka nor spooled after ${this.exitWaitMs} ms`);
    }
  };

  /** Ships or spools everything logged so far within `exitWaitMs` (sooner when `signal` aborts), then stops the worker. */
  close(signal: AbortSignal): Promise<void> {
    this.closing ??= this.closeOnce(signal);
    return this.closing;
  }

  private async closeOnce(signal: AbortSignal): Promise<void> {
    this.post();
    process.removeListener('exit', this.onExit);
    const worker = this.worker;
    if (worker === undefined || !this.workerAlive) return;
    const deadline = Date.now() + this.exitWaitMs;
    worker.postMessage({ type: 'exit', deadline } satisfies ToWorker);
    const hurry = () => worker.postMessage({ type: 'exit', deadline: Date.now() } satisfies ToWorker);
    signal.addEventListener('abort', hurry, { once: true });
    while (!this.settledAll() && Date.now() < deadline && this.workerAlive) await sleep(POLL_MS);
    signal.removeEventListener('abort', hurry);
    if (!this.workerAlive) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = setTimeout(() => void worker.terminate(), WORKER_EXIT_MS);
    await exited;
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
