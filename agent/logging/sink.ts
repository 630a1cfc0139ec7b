import type { Diag } from '../diag';
import type { SharedCounters } from './counters';
import { LineQueue } from './line-queue';
import type { LogProducer, TopicLines } from './producer';
import { SHADOW_PREFIX, Slot, type ShipperSettings, type ToWorker } from './protocol';
import type { Spool, SpoolReplay } from './spool';

/** Kafka refuses records much above 1 MB by default; a line that size cannot ship and is dropped. */
export const MAX_LINE_BYTES = 900 * 1024;
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 5000;

interface Batch {
  readonly lines: string[];
  /** Set when the lines come from a spool segment: released once the segment is fully shipped. */
  readonly replay: Replay | undefined;
}

interface Replay {
  readonly segment: SpoolReplay;
  next: number;
}

export interface SinkParts {
  readonly settings: ShipperSettings;
  readonly counters: SharedCounters;
  readonly producer: LogProducer;
  readonly spool: Spool;
  readonly diag: Diag;
}

/**
 * Ships lines to Kafka in order: first what the spool holds (oldest), then the in-memory buffer.
 * When the buffer passes its cap, its oldest lines move to the spool, so order survives an outage;
 * when the spool is full too, those lines are dropped and counted. Runs in the worker thread.
 */
export class LogSink {
  private readonly memory = new LineQueue();
  private replay: Replay | undefined;
  private inFlight: Batch | undefined;
  private connected = false;
  private pumping = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private backoffMs = BACKOFF_FIRST_MS;
  private kafkaDown = false;
  private spoolFull = false;
  private stopped = false;
  private readonly settings: ShipperSettings;
  private readonly counters: SharedCounters;
  private readonly producer: LogProducer;
  private readonly spool: Spool;
  private readonly diag: Diag;

  constructor(parts: SinkParts) {
    ({ settings: this.settings, counters: this.counters, producer: this.producer, spool: this.spool, diag: this.diag } = parts);
    if (!this.spool.isEmpty) {
      this.diag.info(`replaying ${this.spool.bytes} bytes of log lines spooled in ${this.settings.spoolDir} by an earlier process`);
      this.schedule(0);
    }
  }

  handle(message: ToWorker): void | Promise<void> {
    switch (message.type) {
      case 'lines':
        return this.accept(message.live, message.shadow, message.bytes);
      case 'flush':
        return this.schedule(0);
      case 'exit':
        return this.exitBy(message.deadline);
      case 'close':
        return this.close();
    }
  }

  private accept(live: string, shadow: string, bytes: number): void {
    let tooLarge = 0;
    for (const [text, prefix] of [[live, ''], [shadow, SHADOW_PREFIX]] as const) {
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        const line = text.slice(start, end);
        start = end + 1;
        if (line.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(line) > MAX_LINE_BYTES) tooLarge++;
        else this.memory.push(prefix + line);
      }
    }
    this.counters.add(Slot.receivedBytes, bytes);
    this.drop(Slot.droppedTooLarge, tooLarge);
    if (this.stopped) {
      // Logged after the exit spill, by a later exit handler: straight to disk.
      this.spill(this.memory.take(Number.POSITIVE_INFINITY), true);
      return;
    }
    this.overflowToSpool();
    this.schedule(this.memory.bytes >= this.settings.batchMaxBytes ? 0 : this.settings.lingerMs);
  }

  /** Keeps the buffer under its cap by moving its oldest lines to the spool, or dropping them when that is full. */
  private overflowToSpool(): void {
    while (this.memory.bytes > this.settings.bufferMaxBytes) {
      this.spill(this.memory.take(Math.max(this.settings.bufferMaxBytes / 4, 64 * 1024)), false);
    }
  }

  /** Writes `lines` to the spool; those that do not fit are dropped. Returns nothing: every line is accounted for. */
  private spill(lines: string[], settle: boolean): void {
    let written = 0;
    try {
      written = this.spool.append(lines);
    } catch (error) {
      this.diag.state('log-spool', 'error', `cannot write the log spool in ${this.settings.spoolDir} (${(error as Error).message}); dropping lines Kafka cannot take`);
      this.drop(Slot.droppedSpoolError, lines.length);
      return;
    }
    this.counters.add(Slot.spooled, written);
    if (settle) this.counters.settle(written);
    if (written < lines.length) {
      this.spoolFull = true;
      this.diag.state('log-spool', 'full', `log spool in ${this.settings.spoolDir} is full (${this.settings.spoolMaxBytes} bytes); dropping log lines until Kafka takes them again`);
      this.drop(Slot.droppedSpoolFull, lines.length - written);
    } else if (this.spoolFull) {
      this.spoolFull = false;
      this.diag.state('log-spool', 'ok', `log spool in ${this.settings.spoolDir} takes lines again`);
    }
  }

  private drop(slot: typeof Slot.droppedSpoolFull | typeof Slot.droppedSpoolError | typeof Slot.droppedTooLarge, count: number): void {
    this.counters.add(slot, count);
    this.counters.settle(count);
  }

  private schedule(delayMs: number): void {
    if (this.pumping || this.stopped) return;
    if (delayMs > 0 && this.lingerTimer !== undefined) return;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      void this.pump();
    }, delayMs);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.stopped) {
        const batch = this.inFlight ?? this.nextBatch();
        if (batch === undefined) return;
        this.inFlight = batch;
        await this.ship(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextBatch(): Batch | undefined {
    if (this.replay === undefined && !this.spool.isEmpty) {
      const segment = this.spool.takeOldest();
      if (segment !== undefined) this.replay = { segment, next: 0 };
    }
    if (this.replay !== undefined) {
      const replay = this.replay;
      const lines: string[] = [];
      let bytes = 0;
      while (replay.next < replay.segment.lines.length && (lines.length === 0 || bytes < this.settings.batchMaxBytes)) {
        const line = replay.segment.lines[replay.next++] as string;
        lines.push(line);
        bytes += line.length + 1;
      }
      if (replay.next === replay.segment.lines.length) this.replay = undefined;
      return { lines, replay };
    }
    if (this.memory.length === 0) return undefined;
    return { lines: this.memory.take(this.settings.batchMaxBytes), replay: undefined };
  }

  private async ship(batch: Batch): Promise<void> {
    try {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      if (batch.lines.length > 0) await this.producer.send(this.byTopic(batch.lines));
    } catch (error) {
      this.kafkaDown = true;
      this.diag.state('log-kafka', 'down', `log shipping to Kafka failed (${(error as Error).message}); keeping lines in memory, then in ${this.settings.spoolDir}, and retrying`);
      this.connected = false;
      await this.producer.disconnect().catch(() => undefined);
      await sleep(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      return;
    }
    this.inFlight = undefined;
    this.kafkaDown = false;
    this.backoffMs = BACKOFF_FIRST_MS;
    if (batch.replay !== undefined && batch.replay.next === batch.replay.segment.lines.length && this.replay !== batch.replay) {
      batch.replay.segment.release();
    }
    this.counters.add(Slot.shipped, batch.lines.length);
    this.counters.settle(batch.lines.length);
    this.diag.state('log-kafka', 'ok', `log lines reach Kafka topic ${this.settings.topic}`);
  }

  private byTopic(lines: readonly string[]): TopicLines[] {
    const live: string[] = [];
    const shadow: string[] = [];
    for (const line of lines) {
      if (line.startsWith(SHADOW_PREFIX)) shadow.push(line.slice(SHADOW_PREFIX.length));
      else live.push(line);
    }
    const batches: TopicLines[] = [];
    if (live.length > 0) batches.push({ topic: this.settings.topic, lines: live });
    if (shadow.length > 0) batches.push({ topic: `${this.settings.topic}-shadow`, lines: shadow });
    return batches;
  }

  /**
   * The process is going away. Kafka keeps its chance until shortly before `deadline`; what is not
   * acknowledged then (or at once, while Kafka is known to be down) is written to the spool, where
   * the next process of this service picks it up.
   */
  private exitBy(deadline: number): void {
    this.schedule(0);
    const spillIn = this.kafkaDown ? 0 : Math.max(0, (deadline - Date.now()) * 0.8);
    setTimeout(() => this.spillEverything(), spillIn).unref();
  }

  private spillEverything(): void {
    if (this.stopped) return;
    this.stopped = true;
    // Lines replayed from a segment are still in its file: they are safe without a second copy.
    const fromSegment = (this.inFlight?.replay !== undefined ? this.inFlight.lines.length : 0) + (this.replay ? this.replay.segment.lines.length - this.replay.next : 0);
    this.counters.settle(fromSegment);
    const pending = this.inFlight?.replay === undefined ? (this.inFlight?.lines ?? []) : [];
    this.inFlight = undefined;
    this.spill([...pending, ...this.memory.take(Number.POSITIVE_INFINITY)], true);
  }

  private async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.lingerTimer);
    await this.producer.disconnect().catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
