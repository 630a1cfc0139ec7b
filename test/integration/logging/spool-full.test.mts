import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceOnFreshTopic } from './service.mts';
import { checkSequence, readTopic } from './topic.mts';

const BURSTS = 8;
const PER_BURST = 1000;
const TOTAL = BURSTS * PER_BURST;

describe('Kafka down longer than the spool holds', () => {
  const context = serviceOnFreshTopic({ VIGIL_LOG_BUFFER_MAX_BYTES: '65536', VIGIL_LOG_SPOOL_MAX_BYTES: '262144' }, (kafka) => kafka.stop());

  it('drops and counts exactly the lines that never arrive, and says so once', async (t) => {
    const { kafka, service, topic } = context;
    for (let burst = 0; burst < BURSTS; burst++) {
      await (await fetch(`${service.base}/burst?n=${PER_BURST}`)).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const dropped = () => service.metric('vigil_log_records_dropped_total', { reason: 'spool_full' });
    assert.ok((await dropped()) > 0, 'the spool overflowed');

    await kafka.start();
    const deadline = Date.now() + 120_000;
    while ((await service.metric('vigil_log_records_shipped_total')) + (await dropped()) < TOTAL && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const records = await readTopic(kafka.brokers, topic);
    const check = checkSequence(records, TOTAL);
    const droppedCount = await dropped();
    t.diagnostic(`dropped ${droppedCount}, arrived ${records.length - check.duplicates} (+${check.duplicates} duplicates)`);
    assert.equal(check.missing.length, droppedCount, 'the dropped count is exactly what never arrived');
    assert.equal(records.length - check.duplicates + droppedCount, TOTAL);
    assert.equal(check.outOfOrder, 0);
    assert.equal(await service.metric('vigil_log_records_dropped_total'), droppedCount, 'no loss for any other reason');
    assert.equal(service.agentLines('is full').length, 1, service.process.output());
    assert.equal(service.agentLines('log shipping to Kafka failed').length, 1, service.process.output());
  });
});
