import type { MetricsRegistry } from '../metrics/registry';
import type { SharedCounters } from './counters';
import { Slot } from './protocol';
import type { KafkaShipper } from './shipper';

export const LogMetricNames = {
  shipped: 'vigil_log_records_shipped_total',
  spooled: 'vigil_log_records_spooled_total',
  dropped: 'vigil_log_records_dropped_total',
} as const;

/** Log shipping counters, read from the worker's shared counters at scrape time. */
export function registerLogMetrics(registry: MetricsRegistry, shipper: KafkaShipper): void {
  const counters: SharedCounters = shipper.counters;
  registry.counter({
    name: LogMetricNames.shipped,
    help: 'Log lines acknowledged by Kafka.',
    collect() {
      this.reset();
      this.inc(counters.read(Slot.shipped));
    },
  });
  registry.counter({
    name: LogMetricNames.spooled,
    help: 'Log lines written to the on-disk spool while Kafka was unavailable.',
    collect() {
      this.reset();
      this.inc(counters.read(Slot.spooled));
    },
  });
  registry.counter<'reason'>({
    name: LogMetricNames.dropped,
    help: 'Log lines lost, by reason.',
    labelNames: ['reason'],
    collect() {
      this.reset();
      this.inc({ reason: 'spool_full' }, counters.read(Slot.droppedSpoolFull));
      this.inc({ reason: 'spool_error' }, counters.read(Slot.droppedSpoolError));
      this.inc({ reason: 'too_large' }, counters.read(Slot.droppedTooLarge));
      for (const [reason, count] of Object.entries(shipper.drops)) this.inc({ reason }, count);
    },
  });
}
