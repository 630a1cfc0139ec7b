import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { asAgentCall } from '../../../dist/agent/http/own-calls.js';
import { instrumentHttpClient } from '../../../dist/agent/metrics/http-client.js';
import { RequestHistogram } from '../../../dist/agent/metrics/request-histogram.js';
import { PyroscopePusher } from '../../../dist/profiler/push.js';

const received: string[] = [];
const server = createServer((request, response) => {
  received.push(request.url ?? '');
  request.resume();
  request.on('end', () => response.end('ok'));
});
let url = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function httpGet(target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(target, (response) => {
      response.resume();
      response.on('end', resolve);
    }).on('error', reject);
  });
}

describe("the agent's own calls", () => {
  it('are left out of the outbound call metrics, over node:http and fetch, with tracing off', async () => {
    const registry = new Registry();
    const refused = new Counter({ name: 'refused_total', help: 'h', labelNames: ['metric'], registers: [registry] });
    const stop = instrumentHttpClient((name, help, labelNames) => {
      const histogram = new RequestHistogram(name, help, labelNames, [0.1, 1], 100, refused);
      registry.registerMetric(histogram.asMetric());
      return histogram;
    });
    try {
      await httpGet(`${url}/service-http`);
      await (await fetch(`${url}/service-fetch`)).arrayBuffer();
      await asAgentCall(() => httpGet(`${url}/agent-http`));
      await asAgentCall(async () => (await fetch(`${url}/agent-fetch`)).arrayBuffer());
      const pusher = new PyroscopePusher(url, { service: 'songs', version: '1', environment: 'test', tier: 1 }, { dropped: () => {}, health: () => {} });
      pusher.push({ kind: 'cpu', startedAt: new Date(), endedAt: new Date(), data: Buffer.from('pprof') });
      await pusher.flush(AbortSignal.timeout(5000));

      assert.deepEqual(received.map((path) => path.split('?')[0]), ['/service-http', '/service-fetch', '/agent-http', '/agent-fetch', '/ingest']);
      const counts = (await registry.metrics()).split('\n').filter((line) => line.startsWith('http_client_request_duration_seconds_count'));
      assert.equal(counts.length, 1, counts.join('\n'));
      assert.match(counts[0]!, / 2$/, 'the two calls the service made');
    } finally {
      stop();
    }
  });
});
