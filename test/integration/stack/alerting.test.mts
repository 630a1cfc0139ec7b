import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAlertmanager } from '../../support/alertmanager.mts';
import { freePort } from '../../support/ports.mts';
import { startPrometheus } from '../../support/prometheus.mts';

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
}

async function listen(server: Server): Promise<number> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return port;
}

test('Prometheus scrapes a target, a rule fires and Alertmanager delivers it to a webhook', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-alerting-'));
  const target = createServer((_request, response) => {
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    response.end('# TYPE smoke_queue_depth gauge\nsmoke_queue_depth 42\n');
  });
  let deliver: (alerts: WebhookAlert[]) => void = () => undefined;
  const delivered = new Promise<WebhookAlert[]>((resolve) => (deliver = resolve));
  const webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      deliver((JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
      response.end();
    });
  });
  const targetPort = await listen(target);
  const webhookPort = await listen(webhook);

  const rules = join(dir, 'rules.yml');
  await writeFile(
    rules,
    [
      'groups:',
      '  - name: smoke',
      '    rules:',
      '      - alert: SmokeQueueTooDeep',
      '        expr: smoke_queue_depth > 10',
      '        labels: { severity: page }',
      '',
    ].join('\n'),
  );
  const alertmanager = await startAlertmanager({
    configYaml: [
      'route:',
      '  receiver: test',
      '  group_wait: 1s',
      '  group_interval: 1s',
      'receivers:',
      '  - name: test',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${webhookPort}/alerts`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  });
  const prometheus = await startPrometheus({
    targets: [`127.0.0.1:${targetPort}`],
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    ruleFiles: [rules],
    alertmanagerUrl: alertmanager.url,
  });
  try {
    const scraped = await prometheus.waitFor('smoke_queue_depth', (samples) => samples.length === 1, 30_000);
    assert.equal(scraped[0]?.value[1], '42');

    const alerts = await Promise.race([
      delivered,
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('no alert delivered within 60 s')), 60_000).unref()),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.status, 'firing');
    assert.equal(alerts[0]?.labels.alertname, 'SmokeQueueTooDeep');
    assert.equal(alerts[0]?.labels.severity, 'page');
    assert.equal(alerts[0]?.labels.instance, `127.0.0.1:${targetPort}`);
  } finally {
    await prometheus.stop();
    await alertmanager.stop();
    target.close();
    webhook.close();
    await rm(dir, { recursive: true, force: true });
  }
});
