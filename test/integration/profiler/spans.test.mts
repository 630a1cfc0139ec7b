// With tracing on, the CPU samples of a request carry its trace and span ids as pprof labels.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const fixture = join(import.meta.dirname, '../../fixtures/profiler/troubled-service.mjs');
const traceIds = ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'];

describe('span labels on CPU samples', () => {
  let sink: Server;
  let service: StartedProcess;
  let url: string;
  let metrics: string;
  before(async () => {
    // Where the agent exports its spans: accepted and dropped, they only have to leave.
    sink = createServer((request, response) => request.resume().on('end', () => response.writeHead(200).end()));
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const [port, metricsPort] = [await freePort(), await freePort()];
    service = startNode(fixture, {
      env: {
        PORT: String(port),
        VIGIL_METRICS_PORT: String(metricsPort),
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_PROFILE_DIR: await mkdtemp(join(tmpdir(), 'vigil-spans-')),
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as AddressInfo).port}`,
      },
    });
    url = `http://127.0.0.1:${port}`;
    metrics = `http://127.0.0.1:${metricsPort}`;
    await waitForHttp(`${url}/`);
  });
  after(async () => {
    await service.stop();
    sink.close();
  });

  it('labels the samples of each request with the trace it continues', async () => {
    const profiled = fetch(`${metrics}/debug/pprof/profile?seconds=3`).then(async (response) => Buffer.from(await response.arrayBuffer()));
    const deadline = Date.now() + 2500;
    for (let i = 0; Date.now() < deadline; i++) {
      const traceparent = `00-${traceIds[i % 2]}-${(i + 1).toString(16).padStart(16, '0')}-01`;
      await (await fetch(`${url}/hash`, { headers: { traceparent } })).text();
    }
    const stdout = await labelsOf(await profiled);
    for (const traceId of traceIds) assert.match(stdout, new RegExp(`: ${traceId}\\b`), `trace ${traceId} is not among the labels:\n${stdout}`);
    assert.match(stdout, /span_id:/);
    // A span id of 16 hex digits among the label values (trace ids have 32).
    assert.match(stdout, /\): [0-9a-f]{16}$/m, `no span id among the labels:\n${stdout}`);
  });

  it('labels no sample with a trace that is not sampled, whose spans are never exported', async () => {
    const [sampled, unsampled] = ['5ea3b1ed0000000000000000000000aa', '0dd0000000000000000000000000beef'];
    const profiled = fetch(`${metrics}/debug/pprof/profile?seconds=3`).then(async (response) => Buffer.from(await response.arrayBuffer()));
    const deadline = Date.now() + 2500;
    for (let i = 0; Date.now() < deadline; i++) {
      const traceparent = i % 2 === 0 ? `00-${sampled}-${(i + 1).toString(16).padStart(16, '0')}-01` : `00-${unsampled}-${(i + 1).toString(16).padStart(16, '0')}-00`;
      await (await fetch(`${url}/hash`, { headers: { traceparent } })).text();
    }
    const stdout = await labelsOf(await profiled);
    assert.match(stdout, new RegExp(`: ${sampled}\\b`), `the sampled trace is not among the labels:\n${stdout}`);
    assert.doesNotMatch(stdout, new RegExp(unsampled), `the unsampled trace is among the labels:\n${stdout}`);
  });

  it('labels the samples of a request still running when the profile ends', async () => {
    const traceId = 'c0ffee0000000000000000000000beef';
    const profiled = fetch(`${metrics}/debug/pprof/profile?seconds=2`).then(async (response) => Buffer.from(await response.arrayBuffer()));
    const running = fetch(`${url}/hash-slowly?ms=4000`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    const stdout = await labelsOf(await profiled);
    assert.match(stdout, new RegExp(`: ${traceId}\\b`), `the running request's trace is not among the labels:\n${stdout}`);
    await (await running).text();
  });
});

/** The labels of a gzipped pprof profile with their shares of the samples, as `go tool pprof -tags` prints them. */
async function labelsOf(profile: Buffer): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'vigil-pprof-')), 'profile.pb.gz');
  await writeFile(file, profile);
  const { stdout } = await promisify(execFile)('go', ['tool', 'pprof', '-tags', file]);
  return stdout;
}
