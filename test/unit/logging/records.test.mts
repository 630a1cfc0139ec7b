import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';

const fixture = new URL('../../fixtures/logging/http-service.cjs', import.meta.url).pathname;
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

type Doc = Record<string, unknown>;

describe('log records without Kafka (stdout)', () => {
  let service: StartedProcess;
  let base: string;

  before(async () => {
    const port = await freePort();
    const deadTraceBackend = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startNode(fixture, {
      env: {
        PORT: String(port),
        OTEL_SERVICE_NAME: 'songs',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging',
        VIGIL_TIER: '2',
        VIGIL_METRICS_PORT: '0',
        VIGIL_KAFKA_BROKERS: undefined,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadTraceBackend}`,
      },
    });
    await waitForHttp(`${base}/ping`);
  });
  after(() => service.stop());

  async function logged(headers: Record<string, string>): Promise<Doc> {
    const before = records().length;
    const response = await fetch(`${base}/log`, { headers });
    await response.arrayBuffer();
    const deadline = Date.now() + 10_000;
    while (records().length === before) {
      if (Date.now() > deadline) throw new Error(`no log line; output:\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return records().at(-1) as Doc;
  }

  function records(): Doc[] {
    return service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Doc);
  }

  it('writes ECS field names with the service identity', async () => {
    const doc = await logged({});
    assert.equal(doc['message'], 'handled');
    assert.equal(doc['log.level'], 'info');
    assert.ok(!Number.isNaN(Date.parse(String(doc['@timestamp']))));
    assert.equal(doc['service.name'], 'songs');
    assert.equal(doc['service.environment'], 'staging');
    assert.equal(doc['service.tier'], 2);
    assert.equal(typeof doc['ecs.version'], 'string');
  });

  it('carries the trace and span id of the request it was logged in', async () => {
    const doc = await logged({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    assert.equal(doc['trace.id'], traceId);
    assert.match(String(doc['span.id']), /^[0-9a-f]{16}$/);
    assert.notEqual(doc['span.id'], '00f067aa0ba902b7', 'the server span is a child of the caller');
  });

  it('redacts the authorization and cookie headers and the password field', async () => {
    const doc = await logged({ authorization: 'Bearer secret-token', cookie: 'session=abc' });
    const headers = (doc['req'] as { headers: Doc }).headers;
    assert.equal(headers['authorization'], '[REDACTED]');
    assert.equal(headers['cookie'], '[REDACTED]');
    assert.equal((doc['user'] as Doc)['password'], '[REDACTED]');
    assert.equal((doc['user'] as Doc)['name'], 'ada');
    assert.ok(!service.output().includes('secret-token') && !service.output().includes('hunter2'));
  });

  it('labels lines of shadow traffic', async () => {
    const doc = await logged({ 'x-vigil-traffic': 'shadow' });
    assert.equal(doc['labels.traffic'], 'shadow');
    const live = await logged({});
    assert.equal(live['labels.traffic'], undefined);
  });
});
