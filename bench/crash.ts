/**
 * What crash capture costs a healthy service: the same Express service under the agent, with
 * crash capture off (no DSN, Sentry not loaded) and on (a DSN pointing at a local receiver),
 * tracing off in both so that only crash capture differs. Requests succeed, so nothing is sent:
 * this is the price of watching every response for a 5xx and every Express error.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { comparisonTable, sideBySide, startNodeService, type Variant } from './support/harness';
import { freePort } from './support/ports';

const service = join(__dirname, '../../test/fixtures/crash/express-service.cjs');

/** Takes envelopes and discards them, in case anything is sent. */
async function startReceiver(): Promise<{ dsn: string; envelopes: () => number; close: () => Promise<void> }> {
  let envelopes = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      envelopes++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { dsn: `http://benchkey@127.0.0.1:${port}/1`, envelopes: () => envelopes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function bench(): Promise<string> {
  const receiver = await startReceiver();
  try {
    const agent = { OTEL_SERVICE_NAME: 'bench', OTEL_TRACES_EXPORTER: 'none', VIGIL_PROFILER: 'off', VIGIL_METRICS_PORT: '0' };
    const variants: Variant[] = [
      { name: 'agent, crash capture off', start: () => startNodeService(service, { path: '/ok', env: agent }) },
      { name: 'agent, crash capture on', start: () => startNodeService(service, { path: '/ok', env: { ...agent, SENTRY_DSN: receiver.dsn } }) },
    ];
    const results = await sideBySide(variants);
    const kept = results.get('agent, crash capture on')!.requestsPerSecond / results.get('agent, crash capture off')!.requestsPerSecond;
    return [
      '## Crash capture overhead',
      '',
      `An Express route answering 200, autocannon with 50 connections, tracing off in both variants; last run ${new Date().toISOString().slice(0, 10)}.`,
      '',
      comparisonTable(results),
      '',
      `With crash capture on, the service keeps **${(kept * 100).toFixed(1)}%** of its throughput without it. ` +
        `Envelopes sent during the run: ${receiver.envelopes()}.`,
      '',
      'Reproduce: `npm run bench -- crash` (BENCH_ROUNDS, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
    ].join('\n');
  } finally {
    await receiver.close();
  }
}
