// `vigil doctor` against backends that are down, misconfigured or the wrong service. Sentry cannot
// run on a test machine, so a loopback server answers its envelope endpoint the way Sentry does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { root } from './files.mts';
import { doctor, line } from './run-doctor.mts';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('vigil doctor', () => {
  it('is green with every optional backend turned off, and says which ones are off', async () => {
    const run = await doctor({});
    assert.equal(run.code, 0, run.lines.join('\n'));
    assert.match(line(run, 'kafka'), /^off +kafka: VIGIL_KAFKA_BROKERS is not set/);
    assert.match(line(run, 'traces'), /^off +traces: OTEL_TRACES_EXPORTER=none/);
    assert.match(line(run, 'sentry'), /^off +sentry: SENTRY_DSN is not set/);
    assert.match(line(run, 'metrics port'), /^off +metrics port/);
  });

  it('reports each backend that is down on its own line, with what to fix, and exits non-zero', async () => {
    const [kafka, otlp, sentry] = [await freePort(), await freePort(), await freePort()];
    const run = await doctor({
      VIGIL_KAFKA_BROKERS: `127.0.0.1:${kafka}`,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp}`,
      SENTRY_DSN: `http://publickey@127.0.0.1:${sentry}/7`,
    });
    assert.equal(run.code, 1);
    assert.match(line(run, 'kafka'), new RegExp(`^FAIL kafka: no broker answers at 127.0.0.1:${kafka} \\(VIGIL_KAFKA_BROKERS\\).*ECONNREFUSED.*start Kafka, or fix the list$`));
    assert.match(line(run, 'traces'), new RegExp(`^FAIL traces: nothing answers at http://127.0.0.1:${otlp}/v1/traces \\(OTEL_EXPORTER_OTLP_ENDPOINT\\).*start Jaeger, or fix OTEL_EXPORTER_OTLP_ENDPOINT$`));
    assert.match(line(run, 'sentry'), /^FAIL sentry: Sentry at 127\.0\.0\.1:\d+ cannot be reached/);
    assert.doesNotMatch(run.lines.join('\n'), /publickey/, 'the DSN key is not printed');
  });

  it('reports the metrics port taken by another process', async () => {
    const holder = createTcpServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as AddressInfo).port)));
    try {
      const run = await doctor({ VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_METRICS_PORT: String(port) });
      assert.equal(run.code, 1);
      assert.match(line(run, 'metrics port'), new RegExp(`^FAIL metrics port: 127.0.0.1:${port} cannot be used: another process already listens there`));
    } finally {
      holder.close();
    }
  });

  it('names the service whose running agent holds the metrics port', async () => {
    const port = await freePort();
    const agent = spawn(process.execPath, ['-e', `require('vigil').init({ serviceName: 'billing', metricsHost: '127.0.0.1', metricsPort: ${port}, tracesExporter: 'none', profiler: false }); setInterval(() => {}, 1000);`], { cwd: root, stdio: 'ignore' });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/metrics`);
      const run = await doctor({ VIGIL_METRICS_HOST: '127.0.0.1', VIGIL_METRICS_PORT: String(port) });
      assert.equal(run.code, 1);
      assert.match(line(run, 'metrics port'), /a running Vigil agent of service billing already listens there: stop it, or give this service another VIGIL_METRICS_PORT$/);
    } finally {
      agent.kill();
    }
  });

  it('fails on invalid configuration with the message init() would throw', async () => {
    const run = await doctor({ VIGIL_TIER: '7' });
    assert.equal(run.code, 1);
    assert.deepEqual(run.lines, ['FAIL configuration: VIGIL_ERR_INVALID_OPTION: option VIGIL_TIER has value "7"; allowed: an integer from 1 to 4']);
  });

  it('tells a server that is not an OTLP endpoint from a missing one', async () => {
    const server = createHttpServer((_request, response) => response.writeHead(404).end());
    const port = await listen(server);
    try {
      const run = await doctor({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      assert.equal(run.code, 1);
      assert.match(line(run, 'traces'), /answers 404: that is no OTLP\/HTTP endpoint; fix OTEL_EXPORTER_OTLP_ENDPOINT$/);
    } finally {
      server.close();
    }
  });

  it('gives up on a backend that accepts connections but never answers, within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => void sockets.push(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)));
    try {
      const started = Date.now();
      const run = await doctor({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }, ['--timeout-ms', '1000']);
      assert.equal(run.code, 1);
      assert.match(line(run, 'traces'), /^FAIL traces: no answer within 1000 ms$/);
      assert.ok(Date.now() - started < 15_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  describe('Sentry DSN', () => {
    let server: Server;
    let port: number;
    before(async () => {
      // Answers as Sentry's envelope endpoint does: project 7 with key goodkey only.
      server = createHttpServer((request, response) => {
        request.resume();
        const key = /sentry_key=([^,\s]+)/.exec(String(request.headers['x-sentry-auth']))?.[1];
        if (request.method !== 'POST' || request.url !== '/api/7/envelope/') return void response.writeHead(404).end();
        response.writeHead(key === 'goodkey' ? 200 : 401).end('{}');
      });
      port = await listen(server);
    });
    after(() => server.close());

    it('accepts a DSN whose key Sentry takes', async () => {
      const run = await doctor({ SENTRY_DSN: `http://goodkey@127.0.0.1:${port}/7` });
      assert.equal(run.code, 0, run.lines.join('\n'));
      assert.match(line(run, 'sentry'), /^ok +sentry: Sentry accepts the key of SENTRY_DSN for project 7/);
    });

    it('rejects a DSN with a revoked key, and one for a project that does not exist', async () => {
      const revoked = await doctor({ SENTRY_DSN: `http://oldkey@127.0.0.1:${port}/7` });
      assert.equal(revoked.code, 1);
      assert.match(line(revoked, 'sentry'), /^FAIL sentry: Sentry refuses the key of SENTRY_DSN for project 7 \(401\)/);
      const missing = await doctor({ SENTRY_DSN: `http://goodkey@127.0.0.1:${port}/8` });
      assert.match(line(missing, 'sentry'), /^FAIL sentry: Sentry has no project 8/);
    });
  });
});
