import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTopics, ecsLine,produce, startCollector, type CollectorProcess, withServices } from './harness.mts';

interface Templates {
  index_templates: {
    name: string;
    index_template: {
      index_patterns: string[];
      priority: number;
      data_stream?: object;
      template: { lifecycle?: { data_retention?: string }; settings?: { index?: { lifecycle?: { name?: string } } } };
    };
  }[];
}

describe('collector: index template and retention', () => {
  const services = withServices({ tracing: false });

  async function template() {
    const { index_templates: [found] } = await services.es.request<Templates>('GET', '/_index_template/vigil-logs');
    return found?.index_template;
  }

  async function runUntilInstalled(args: string[]): Promise<CollectorProcess> {
    const { brokers, es } = services;
    const topics = await createTopics(brokers, 1);
    const collector = await startCollector({ brokers, es, topics, args });
    const deadline = Date.now() + 60_000;
    while (!/index template installed/.test(collector.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.match(collector.output(), /index template installed/);
    return collector;
  }

  it('installs a data stream template for logs-*-* with the retention asked for, and updates it on the next start', async () => {
    const first = await runUntilInstalled(['--retention-days', '7']);
    const installed = await template();
    assert.deepEqual(installed?.index_patterns, ['logs-*-*']);
    assert.ok(installed?.data_stream !== undefined);
    assert.equal(installed?.template.lifecycle?.data_retention, '7d');
    await first.stop();

    const second = await runUntilInstalled(['--retention-days', '14']);
    assert.equal((await template())?.template.lifecycle?.data_retention, '14d');
    await second.stop();
  });

  it('falls back to the data stream lifecycle, and says so, when ILM is asked for on a cluster without it', async () => {
    await assert.rejects(services.es.request('GET', '/_ilm/status'), 'this cluster has ILM, so there is nothing to fall back from');
    const collector = await runUntilInstalled(['--retention', 'ilm', '--retention-days', '10']);
    assert.match(collector.output(), /no ILM; retention uses the data stream lifecycle instead/);
    assert.equal((await template())?.template.lifecycle?.data_retention, '10d');
    await collector.stop();
  });

  it('routes shadow traffic to the shadow namespace', async () => {
    const { brokers, es } = services;
    const topics = await createTopics(brokers, 1);
    const service = `shadowed-${topics.live.slice(-8)}`;
    await produce(brokers, topics.shadow, service, [ecsLine(service, 0, { 'labels.traffic': 'shadow' })]);
    await produce(brokers, topics.live, service, [ecsLine(service, 1)]);
    const collector = await startCollector({ brokers, es, topics });
    assert.equal(await es.waitForCount(`logs-${service}-shadow`, 1, 60_000), 1);
    assert.equal(await es.waitForCount(`logs-${service}-test`, 1, 60_000), 1);
    await collector.stop();
  });
});
