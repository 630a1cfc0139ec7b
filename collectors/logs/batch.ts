import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Diag } from '../../agent/diag';
import type { DeadLetterSink } from './dead-letter';
import { isRejected, toDocument, type LogDocument, type Rejected } from './document';
import type { BulkIndexer } from './indexer';
import type { CollectorMetrics } from './metrics';
import { keepingAlive, type RetryControl } from './retry';

/** Bytes a bulk action line adds to each document, counted so a chunk stays under the limit. */
const ACTION_LINE_BYTES = 120;

export type CommitOffset = (topic: string, partition: number, offset: string) => Promise<void>;

/**
 * Takes each partition's fetched batch to Elasticsearch in chunks of at most `chunkBytes`. Chunks
 * of one partition are settled in order, each committed only once every record of it is indexed
 * or dead-lettered; a chunk given up (shutdown, rebalance) stops its partition's later chunks from
 * committing, so they are redelivered. The batch handler returns as soon as its chunks are queued,
 * so Kafka fetches the next batches while these are indexed; what is queued is bounded by
 * `budgetBytes`, and while the budget is spent no batch is taken in: that is the backpressure.
 */
export class BatchProcessor {
  private readonly budget: ByteBudget;
  /** The last queued chunk of each partition; the next one waits for it. */
  private order = new Map<string, Promise<boolean>>();
  private readonly queued = new Set<Promise<boolean>>();

  constructor(
    private readonly indexer: BulkIndexer,
    private readonly deadLetter: DeadLetterSink,
    private readonly metrics: CollectorMetrics,
    private readonly commit: CommitOffset,
    private readonly chunkBytes: number,
    budgetBytes: number,
    private readonly diag: Diag,
  ) {
    this.budget = new ByteBudget(budgetBytes);
  }

  async process(payload: EachBatchPayload, stopping: () => boolean): Promise<void> {
    const { batch } = payload;
    let lostMembership = false;
    const control: RetryControl = {
      cancelled: () => lostMembership || stopping() || !payload.isRunning() || payload.isStale(),
      async keepAlive() {
        try {
          await payload.heartbeat();
        } catch {
          // The group is rebalancing: this batch may belong to another member by now.
          lostMembership = true;
        }
      },
    };
    if (batch.isEmpty() || control.cancelled()) return;
    this.metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    const key = `${batch.topic}|${batch.partition}`;
    for (const { messages, bytes } of chunks(batch.messages, this.chunkBytes)) {
      await keepingAlive(this.budget.acquire(bytes), control);
      if (control.cancelled()) {
        this.budget.release(bytes);
        return;
      }
      const settled = (this.order.get(key) ?? Promise.resolve(true))
        .then((earlierSettled) => earlierSettled && this.settle(batch.topic, batch.partition, messages, control))
        .catch(() => false)
        .finally(() => this.budget.release(bytes));
      this.order.set(key, settled);
      this.queued.add(settled);
      void settled.finally(() => this.queued.delete(settled));
    }
    payload.resolveOffset(batch.lastOffset());
  }

  /** After a rebalance, partitions start afresh from their committed offsets. */
  restartOrder(): void {
    this.order = new Map();
  }

  /** Resolves once every queued chunk is settled or given up. */
  async drain(): Promise<void> {
    while (this.queued.size > 0) await Promise.allSettled([...this.queued]);
  }

  private async settle(topic: string, partition: number, messages: readonly KafkaMessage[], control: RetryControl): Promise<boolean> {
    if (control.cancelled()) return false;
    const documents: LogDocument[] = [];
    const rejected: Rejected[] = [];
    for (const message of messages) {
      const result = toDocument({ topic, partition, offset: message.offset, key: message.key, value: message.value });
      if (isRejected(result)) rejected.push(result);
      else documents.push(result);
    }
    const outcome = await this.indexer.index(documents, control);
    if (outcome === undefined) return false;
    if (!(await this.deadLetter.send([...rejected, ...outcome.refused], control))) return false;
    const last = (messages[messages.length - 1] as KafkaMessage).offset;
    try {
      await this.commit(topic, partition, (BigInt(last) + 1n).toString());
      return true;
    } catch (error) {
      // The partition moved to another member, which will redeliver; the document ids keep that harmless.
      this.diag.info(`collector: commit for ${topic}[${partition}] skipped (${(error as Error).message}); the records will be redelivered`);
      return false;
    }
  }
}

/** Bytes of records taken in and not yet settled; a taker waits while the budget is spent. */
class ByteBudget {
  private used = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async acquire(bytes: number): Promise<void> {
    // One chunk larger than the whole budget still goes through, alone.
    while (this.used > 0 && this.used + bytes > this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used -= bytes;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

function* chunks(messages: readonly KafkaMessage[], maxBytes: number): Generator<{ messages: KafkaMessage[]; bytes: number }> {
  let chunk: KafkaMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + ACTION_LINE_BYTES;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield { messages: chunk, bytes };
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield { messages: chunk, bytes };
}
