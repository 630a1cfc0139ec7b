import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../../agent/metrics/registry';

/** Records behind the end of one partition this member consumes. */
export interface LagSample {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** The collector's golden signals, named as docs/metrics.md lists them. */
export interface CollectorMetrics {
  readonly consumed: Counter<'topic'>;
  readonly indexed: Counter<'data_stream'>;
  readonly retried: Counter<'status'>;
  readonly deadLettered: Counter<'reason'>;
  readonly rejections: Counter<'status'>;
  readonly bulkDuration: Histogram;
  readonly lag: Gauge<'topic' | 'partition'>;
}

/** Registers the collector's metrics; lag is read from Kafka at scrape time, not on a timer. */
export function collectorMetrics(registry: MetricsRegistry, readLag: () => Promise<readonly LagSample[]>): CollectorMetrics {
  return {
    consumed: registry.counter({ name: 'vigil_collector_records_consumed_total', help: 'Records read from Kafka.', labelNames: ['topic'] }),
    indexed: registry.counter({ name: 'vigil_collector_records_indexed_total', help: 'Documents Elasticsearch acknowledged.', labelNames: ['data_stream'] }),
    retried: registry.counter({ name: 'vigil_collector_records_retried_total', help: 'Bulk items retried (429, 5xx).', labelNames: ['status'] }),
    deadLettered: registry.counter({ name: 'vigil_collector_records_dead_lettered_total', help: 'Records sent to the dead-letter topic.', labelNames: ['reason'] }),
    rejections: registry.counter({ name: 'vigil_collector_es_rejections_total', help: 'Items Elasticsearch rejected.', labelNames: ['status'] }),
    bulkDuration: registry.histogram({
      name: 'vigil_collector_bulk_duration_seconds',
      help: 'Bulk request latency.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    lag: registry.gauge({
      name: 'vigil_collector_consumer_lag',
      help: "Records behind the partition's end.",
      labelNames: ['topic', 'partition'],
      async collect() {
        const samples = await readLag();
        this.reset();
        for (const { topic, partition, lag } of samples) this.set({ topic, partition: String(partition) }, lag);
      },
    }),
  };
}
