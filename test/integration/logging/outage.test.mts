import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceOnFreshTopic, type LoggingService } from './service.mts';
import { checkSequence, waitForRecords } from './topic.mts';

const OUTAGE_MS = 20_000;
const BASELINE_MS = 10_000;
const CONCURRENCY = 4;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

/** Requests /log from several clients at once until stopped; each request logs one line. */
function load(service: LoggingService) {
  let phase = 'baseline';
  let running = true;
  const latencies = new Map<string, number[]>();
  let completed = 0;
  const client = async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${service.base}/log`);
      await response.arrayBuffer();
      if (response.ok) completed++;
      const bucket = latencies.get(phase) ?? [];
      bucket.push(performance.now() - started);
      latencies.set(phase, bucket);
    }
  };
  const clients = Array.from({ length: CONCURRENCY }, client);
  return {
    enter: (next: string) => (phase = next),
    async stop() {
      running = false;
      await Promise.all(clients);
      return { completed, latencies };
    },
  };
}

describe('Kafka stopped for 20 s in the middle of a stream', () => {
  // A small buffer, so the outage has to go through the on-disk spool.
  const context = serviceOnFreshTopic({ VIGIL_LOG_BUFFER_MAX_BYTES: '65536' });

  it('still delivers every line (spool replay), and request latency stays within 2x of normal', async (t) => {
    const { kafka, service, topic } = context;
    const traffic = load(service);
    await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
    await kafka.stop();
    traffic.enter('outage');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    traffic.enter('restart');
    await kafka.start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { completed, latencies } = await traffic.stop();

    const records = await waitForRecords(kafka.brokers, topic, completed, 120_000);
    const check = checkSequence(records, completed);
    const spooled = await service.metric('vigil_log_records_spooled_total');
    const shipped = await service.metric('vigil_log_records_shipped_total');
    const baseline = [...(latencies.get('baseline') ?? [])].sort((a, b) => a - b);
    const outage = [...(latencies.get('outage') ?? [])].sort((a, b) => a - b);
    t.diagnostic(`lines ${completed}, records ${records.length}, duplicates ${check.duplicates}, spooled ${spooled}, shipped ${shipped}`);
    t.diagnostic(`latency ms normal p50 ${percentile(baseline, 50).toFixed(2)} p99 ${percentile(baseline, 99).toFixed(2)} (${baseline.length} requests); ` +
      `outage p50 ${percentile(outage, 50).toFixed(2)} p99 ${percentile(outage, 99).toFixed(2)} (${outage.length} requests)`);

    assert.deepEqual(check.missing, [], 'every line arrived');
    assert.equal(check.outOfOrder, 0);
    assert.ok(spooled > 0, 'the outage went through the spool');
    assert.equal(await service.metric('vigil_log_records_dropped_total'), 0);
    assert.ok(outage.length > 100, 'the service kept answering during the outage');
    assert.ok(percentile(outage, 50) <= 2 * percentile(baseline, 50), 'median latency within 2x of normal');
    assert.ok(percentile(outage, 90) <= 2 * percentile(baseline, 90), 'p90 latency within 2x of normal');
    assert.equal(service.agentLines('log shipping to Kafka failed').length, 1, service.process.output());
  });
});
