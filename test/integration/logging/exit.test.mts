import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useKafka, type KafkaService } from '../../support/kafka.mts';
import { startNode } from '../../support/process.mts';
import { agentEnv, fixture, startHttpService } from './service.mts';
import { checkSequence, createTopic, waitForRecords } from './topic.mts';

const LINES = 5000;

describe('no log line lost on the way out', () => {
  let kafka: KafkaService;
  before(async () => {
    kafka = await useKafka();
  });

  const endings = [
    { end: 'exit', how: 'process.exit() straight after logging', code: 0 },
    { end: 'throw', how: 'an uncaught exception straight after logging', code: 1 },
    { end: 'natural', how: 'the event loop running dry', code: 0 },
    { end: 'shutdown', how: 'shutdown()', code: 0 },
  ];
  for (const { end, how, code } of endings) {
    it(`lands every line in Kafka after ${how}`, async () => {
      const topic = await createTopic(kafka.brokers);
      const service = startNode(fixture('burst.mjs'), {
        env: {
          ...agentEnv(kafka.brokers, topic),
          VIGIL_SHUTDOWN_TIMEOUT_MS: '30000',
          LINES: String(LINES),
          END: end,
        },
      });
      assert.equal(await service.exited, code, service.output());
      const check = checkSequence(await waitForRecords(kafka.brokers, topic, LINES, 30_000), LINES);
      assert.deepEqual(check.missing, [], service.output());
      assert.equal(check.outOfOrder, 0);
    });
  }

  it('lands every line in Kafka when SIGTERM arrives straight after logging', async () => {
    const topic = await createTopic(kafka.brokers);
    const service = await startHttpService(kafka.brokers, topic, { VIGIL_SHUTDOWN_TIMEOUT_MS: '30000' });
    await (await fetch(`${service.base}/burst?n=${LINES}`)).arrayBuffer();
    assert.equal(await service.process.stop('SIGTERM', 60_000), 'SIGTERM');
    const check = checkSequence(await waitForRecords(kafka.brokers, topic, LINES, 30_000), LINES);
    assert.deepEqual(check.missing, [], service.process.output());
  });
});
