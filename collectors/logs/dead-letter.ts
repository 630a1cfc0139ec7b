import type { Producer } from 'kafkajs';
import type { Diag } from '../../agent/diag';
import type { Rejected } from './document';
import type { CollectorMetrics } from './metrics';
import { backoffMs, keepingAlive, waitOrCancel, type RetryControl } from './retry';

/** Header names a person or a replay tool reads on a dead-lettered record. */
export const DEAD_LETTER_HEADERS = {
  reason: 'vigil.dead_letter.reason',
  topic: 'vigil.source.topic',
  partition: 'vigil.source.partition',
  offset: 'vigil.source.offset',
} as const;

/**
 * Sends records that can never be indexed to the dead-letter topic, unchanged, with the reason and
 * their origin in headers. Its offsets are committed only after this resolves true, so a record is
 * either indexed or dead-lettered, never silently dropped.
 */
export class DeadLetterSink {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly metrics: CollectorMetrics,
    private readonly diag: Diag,
  ) {}

  /** Resolves true once Kafka acknowledged every record, false when `control` cancelled first. */
  async send(records: readonly Rejected[], control: RetryControl): Promise<boolean> {
    if (records.length === 0) return true;
    const messages = records.map(({ source, detail }) => ({
      key: source.key,
      value: source.value,
      headers: {
        [DEAD_LETTER_HEADERS.reason]: detail,
        [DEAD_LETTER_HEADERS.topic]: source.topic,
        [DEAD_LETTER_HEADERS.partition]: String(source.partition),
        [DEAD_LETTER_HEADERS.offset]: source.offset,
      },
    }));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 && !(await waitOrCancel(backoffMs(attempt - 1), control))) return false;
      try {
        await keepingAlive(this.producer.send({ topic: this.topic, acks: -1, messages }), control);
        break;
      } catch (error) {
        this.diag.state('collector.dead-letter', 'failing', `collector: dead-letter topic ${this.topic} refused records (${(error as Error).message}); retrying`);
      }
    }
    this.diag.state('collector.dead-letter', 'ok', `collector: dead-letter topic ${this.topic} accepts records`);
    for (const { reason } of records) this.metrics.deadLettered.inc({ reason });
    return true;
  }
}
