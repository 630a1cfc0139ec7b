// First: it has to be in place before kafkajs loads its producer.
import { fastGzipCodec } from './kafkajs-tuning';
import { CompressionCodecs, CompressionTypes, Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import type { LogProducer } from './producer';
import type { ShipperSettings } from './protocol';

/** Errors after which the broker no longer accepts this producer's sequence; a new producer id fixes them. */
const FENCED = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/**
 * An idempotent kafkajs producer with acks=all, gzip batches and the service name as key. Retries
 * inside kafkajs are few and short: the sink owns the long retry with backoff, so an outage never
 * pins a request for minutes.
 */
export function createKafkaProducer(settings: ShipperSettings): LogProducer {
  CompressionCodecs[CompressionTypes.GZIP] = fastGzipCodec;
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 2 },
  });
  const create = (): Producer =>
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 3 },
    });
  let producer = create();
  return {
    connect: () => producer.connect(),
    async send(batches) {
      try {
        await producer.sendBatch({
          acks: -1,
          timeout: 10_000,
          compression: CompressionTypes.GZIP,
          topicMessages: batches.map(({ topic, lines }) => ({
            topic,
            messages: lines.map((value) => ({ key: settings.key, value })),
          })),
        });
      } catch (error) {
        if (FENCED.has((error as { type?: string }).type ?? '')) producer = create();
        throw error;
      }
    },
    disconnect: () => producer.disconnect(),
  };
}
