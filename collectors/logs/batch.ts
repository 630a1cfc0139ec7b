import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Diag } from '../../agent/diag';
import type { DeadLetterSink } from './dead-letter';
import { isRejected, toDocument, type LogDocument, type Rejected } from './document';
import type { BulkIndexer } from './indexer';
import type { CollectorMetrics } from './metrics';
import type { RetryControl } from './retry';

/** Bytes a bulk action line adds to each document, counted so a chunk stays under the limit. */
const ACTION_LINE_BYTES = 120;

export type CommitOffset = (topic: string, partition: number, offset: string) => Promise<void>;

/**
 * Takes one partition's fetched batch to Elasticsearch in chunks of at most `chunkBytes`. The
 * offset after a chunk is committed only once every record of it is indexed or dead-lettered; a
 * batch given up half-way (shutdown, rebalance) leaves the rest uncommitted, for redelivery.
 * While a chunk waits on Elasticsearch this partition fetches nothing more: that is the backpressure.
 */
export class BatchProcessor {
  constructor(
    private readonly indexer: BulkIndexer,
    private readonly deadLetter: DeadLetterSink,
    private readonly metrics: CollectorMetrics,
    private readonly commit: CommitOffset,
    private readonly chunkBytes: number,
    private readonly diag: Diag,
  ) {}

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
    this.metrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    for (const chunk of chunks(batch.messages, this.chunkBytes)) {
      if (control.cancelled()) return;
      const documents: LogDocument[] = [];
      const rejected: Rejected[] = [];
      for (const message of chunk) {
        const result = toDocument({ topic: batch.topic, partition: batch.partition, offset: message.offset, key: message.key, value: message.value });
        if (isRejected(result)) rejected.push(result);
        else documents.push(result);
      }
      const outcome = await this.indexer.index(documents, control);
      if (outcome === undefined) return;
      if (!(await this.deadLetter.send([...rejected, ...outcome.refused], control))) return;
      const last = (chunk[chunk.length - 1] as KafkaMessage).offset;
      payload.resolveOffset(last);
      try {
        await this.commit(batch.topic, batch.partition, (BigInt(last) + 1n).toString());
      } catch (error) {
        // The partition moved to another member, which will redeliver; the document ids keep that harmless.
        this.diag.info(`collector: commit for ${batch.topic}[${batch.partition}] skipped (${(error as Error).message}); the records will be redelivered`);
        return;
      }
      await control.keepAlive();
    }
  }
}

function* chunks(messages: readonly KafkaMessage[], maxBytes: number): Generator<KafkaMessage[]> {
  let chunk: KafkaMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + ACTION_LINE_BYTES;
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
