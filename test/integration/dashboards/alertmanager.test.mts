// The generated Alertmanager configuration in a real Alertmanager: notifications routed by severity
// and tier to their receivers, grouped by service, symptoms held back under a target-down alert.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAlertmanager, type Alertmanager } from '../../support/alertmanager.mts';
import { buildDir } from '../../unit/dashboards/expressions.mts';

interface Notification {
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: { labels: Record<string, string> }[];
}

describe('the generated Alertmanager configuration', () => {
  const notifications: { path: string; body: Notification }[] = [];
  let webhook: Server;
  let alertmanager: Alertmanager;

  before(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        notifications.push({ path: request.url ?? '', body: JSON.parse(body) as Notification });
        response.end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const { port } = webhook.address() as { port: number };
    const config = readFileSync(join(buildDir, 'alertmanager/alertmanager.yml'), 'utf8').replaceAll('http://127.0.0.1:9095/', `http://127.0.0.1:${port}/`);
    assert.notEqual(config, readFileSync(join(buildDir, 'alertmanager/alertmanager.yml'), 'utf8'), 'the receivers were not pointed at the test webhook');
    alertmanager = await startAlertmanager({ configYaml: config });
  });

  after(async () => {
    await alertmanager?.stop();
    webhook?.close();
  });

  it('pages tier 1 on its own receiver, pages tier 2 on the other, and inhibits symptoms of a down target', async () => {
    const identity = (service: string, tier: string) => ({ service, environment: 'prod', tier, job: 'vigil', instance: `${service}:9464` });
    const alerts = [
      { labels: { alertname: 'VigilTargetDown', severity: 'page', ...identity('checkout', '1') } },
      { labels: { alertname: 'VigilAvailabilityBudgetBurn', severity: 'page', slo: 'availability', long_window: '1h', short_window: '5m', ...identity('checkout', '1') } },
      { labels: { alertname: 'VigilHeapNearLimit', severity: 'page', ...identity('search', '2') } },
      { labels: { alertname: 'VigilLogRecordsDropped', severity: 'ticket', reason: 'spool_full', ...identity('search', '2') } },
    ];
    const posted = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts.map((alert) => ({ ...alert, annotations: { summary: alert.labels.alertname } }))),
    });
    assert.equal(posted.status, 200);

    // Inhibition is decided when alerts are listed, so poll until the state settles.
    const deadline = Date.now() + 30_000;
    let states: Record<string, string> = {};
    while (Date.now() < deadline) {
      const listed = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; status: { state: string } }[];
      states = Object.fromEntries(listed.map((alert) => [`${alert.labels.alertname}/${alert.labels.service}`, alert.status.state]));
      if (Object.keys(states).length === alerts.length && states['VigilAvailabilityBudgetBurn/checkout'] === 'suppressed') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.deepEqual(states, {
      'VigilTargetDown/checkout': 'active',
      'VigilAvailabilityBudgetBurn/checkout': 'suppressed',
      'VigilHeapNearLimit/search': 'active',
      'VigilLogRecordsDropped/search': 'active',
    });

    // Pages wait 10 s to group; tickets 5 minutes, so only the pages arrive within this test.
    const pagesBy = Date.now() + 40_000;
    while (notifications.length < 2 && Date.now() < pagesBy) await new Promise((resolve) => setTimeout(resolve, 250));
    const byReceiver = Object.fromEntries(notifications.map(({ path, body }) => [body.receiver, { path, body }]));
    assert.deepEqual(Object.keys(byReceiver).sort(), ['page', 'page-critical']);
    assert.equal(byReceiver['page-critical']!.path, '/page-critical');
    assert.deepEqual(byReceiver['page-critical']!.body.groupLabels, { service: 'checkout', environment: 'prod' });
    assert.deepEqual(byReceiver['page-critical']!.body.alerts.map((alert) => alert.labels.alertname), ['VigilTargetDown']);
    assert.deepEqual(byReceiver.page!.body.groupLabels, { service: 'search', environment: 'prod' });
    assert.deepEqual(byReceiver.page!.body.alerts.map((alert) => alert.labels.alertname), ['VigilHeapNearLimit']);
  });
});
