/**
 * What tracing costs: the same node:http service bare, with the agent's metrics, with metrics and
 * tracing at 100% and 10% sampling, and under OpenTelemetry's zero-code set-up
 * (@opentelemetry/auto-instrumentations-node, its defaults), every tracer exporting OTLP to the same
 * local receiver. Two workloads: a hello route, and a route doing about 1 ms of real work.
 */
import { join } from 'node:path';
import { comparisonTable, sideBySide, startNodeService, type Measurement, type Variant } from './support/harness';
import { startDiscardingSink } from './support/sink';

const fixtures = join(__dirname, '../../test/fixtures/tracing');
const service = join(fixtures, 'bench-service.cjs');

function variants(path: string, otlpUrl: string, upstreamUrl: string): Variant[] {
  const common = { UPSTREAM_URL: upstreamUrl, OTEL_SERVICE_NAME: 'bench', OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl };
  const agent = { ...common, VIGIL_PROFILER: 'off', VIGIL_METRICS_PORT: '0' };
  const preload = ['--require', 'vigil/register'];
  return [
    { name: 'bare', start: () => startNodeService(service, { path, env: common }) },
    { name: 'vigil metrics', start: () => startNodeService(service, { path, nodeArgs: preload, env: { ...agent, OTEL_TRACES_EXPORTER: 'none' } }) },
    { name: 'vigil metrics + tracing 100%', start: () => startNodeService(service, { path, nodeArgs: preload, env: { ...agent, OTEL_TRACES_SAMPLER_ARG: '1' } }) },
    { name: 'vigil metrics + tracing 10%', start: () => startNodeService(service, { path, nodeArgs: preload, env: { ...agent, OTEL_TRACES_SAMPLER_ARG: '0.1' } }) },
    {
      name: 'OpenTelemetry zero-code',
      start: () =>
        startNodeService(service, {
          path,
          nodeArgs: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
          // The cloud detectors would query metadata addresses off this machine.
          env: { ...common, OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process' },
        }),
    },
  ];
}

function share(results: Map<string, Measurement>, name: string, of: string): number {
  return results.get(name)!.requestsPerSecond / results.get(of)!.requestsPerSecond;
}

/**
 * The same comparison from the service's CPU time per request: what throughput would be where the
 * service's core is the limit. On a shared machine it moves far less with other load than req/s.
 */
function cpuShare(results: Map<string, Measurement>, name: string, of: string): number {
  return results.get(of)!.cpuMicrosPerRequest / results.get(name)!.cpuMicrosPerRequest;
}

export async function bench(): Promise<string> {
  const receiver = await startDiscardingSink();
  const upstream = await startNodeService(join(fixtures, 'upstream.cjs'), { path: '/' });
  try {
    const hello = await sideBySide(variants('/hello', receiver.url, upstream.url));
    const work = await sideBySide(variants('/work', receiver.url, upstream.url));
    const full = 'vigil metrics + tracing 100%';
    const zeroCode = 'OpenTelemetry zero-code';
    const helloVsZeroCode = share(hello, full, zeroCode);
    const workVsBare = share(work, full, 'bare');
    return [
      '## Tracing overhead',
      '',
      `A plain node:http service, autocannon with 50 connections, every tracer exporting OTLP/HTTP to one local receiver; last run ${new Date().toISOString().slice(0, 10)}.`,
      '',
      '**hello** (a small JSON object):',
      '',
      comparisonTable(hello),
      '',
      '**work** (parse and re-serialize a 60 KB JSON payload, one call to a local upstream):',
      '',
      comparisonTable(work),
      '',
      `hello: metrics + tracing at 100% serves **${helloVsZeroCode.toFixed(2)}×** the zero-code throughput ` +
        `(${(share(hello, full, 'bare') * 100).toFixed(0)}% of bare against ${(share(hello, zeroCode, 'bare') * 100).toFixed(0)}%; target ≥ 2×).`,
      `work: metrics + tracing at 100% keeps **${(workVsBare * 100).toFixed(1)}%** of bare throughput (target ≥ 90%).`,
      `By CPU time per request: hello ${cpuShare(hello, full, zeroCode).toFixed(2)}× the zero-code set-up, work ${(cpuShare(work, full, 'bare') * 100).toFixed(1)}% of bare.`,
      '',
      `The receiver (a discarding sink in a process of its own) took ${((await receiver.receivedBytes()) / 1e6).toFixed(1)} MB of telemetry during the run.`,
      '',
      'Reproduce: `npm run bench -- tracing` (BENCH_ROUNDS, BENCH_DURATION_S, BENCH_CONNECTIONS change the load).',
    ].join('\n');
  } finally {
    await upstream.stop();
    await receiver.close();
  }
}
