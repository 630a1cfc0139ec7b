import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';
import { VigilConfigError } from 'vigil';

const noEnv = {};

function failure(run: () => unknown): VigilConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof VigilConfigError, `expected VigilConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected init to fail');
}

describe('configuration', () => {
  it('fills defaults from DESIGN: tier 3, port 9464, otlp, stdout logs', () => {
    const config = resolveConfig({ serviceName: 'songs' }, noEnv, '/nonexistent');
    assert.equal(config.identity.service, 'songs');
    assert.equal(config.identity.tier, 3);
    assert.equal(config.metrics.port, 9464);
    assert.equal(config.metrics.host, '0.0.0.0');
    assert.equal(config.traces.exporter, 'otlp');
    assert.deepEqual(config.logs.kafkaBrokers, []);
    assert.equal(config.logs.topic, 'vigil-logs');
    assert.equal(config.shutdown.timeoutMs, 5000);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.metrics));
  });

  it('lets options win over environment, and environment over defaults', () => {
    const env = { VIGIL_TIER: '1', OTEL_SERVICE_NAME: 'from-env', VIGIL_METRICS_PORT: '9999' };
    const config = resolveConfig({ tier: 2 }, env, '/nonexistent');
    assert.equal(config.identity.tier, 2);
    assert.equal(config.identity.service, 'from-env');
    assert.equal(config.metrics.port, 9999);
  });

  it('reads environment and identity from OTEL_RESOURCE_ATTRIBUTES', () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=music%20ops' };
    const config = resolveConfig({}, env, '/nonexistent');
    assert.equal(config.identity.environment, 'prod');
    assert.equal(config.identity.attributes.team, 'music ops');
  });

  const invalid: [string, () => unknown, RegExp][] = [
    ['unknown tier', () => resolveConfig({}, { VIGIL_TIER: '7' }, '/'), /VIGIL_TIER has value "7"; allowed: an integer from 1 to 4/],
    ['tier option', () => resolveConfig({ tier: 0 as 1 }, noEnv, '/'), /option tier has value 0; allowed: an integer from 1 to 4/],
    ['port out of range', () => resolveConfig({ metricsPort: 70000 }, noEnv, '/'), /metricsPort has value 70000; allowed: an integer from 0 to 65535/],
    ['port not a number', () => resolveConfig({}, { VIGIL_METRICS_PORT: 'http' }, '/'), /VIGIL_METRICS_PORT has value "http"/],
    ['malformed broker list', () => resolveConfig({}, { VIGIL_KAFKA_BROKERS: 'kafka:9092,,nope' }, '/'), /VIGIL_KAFKA_BROKERS has value "kafka:9092,,nope"; allowed: a comma-separated list of host:port/],
    ['malformed DSN', () => resolveConfig({ sentryDsn: 'https://sentry.example.com/' }, noEnv, '/'), /sentryDsn has value "https:\/\/sentry.example.com\/"; allowed: a Sentry DSN/],
    ['unknown exporter', () => resolveConfig({}, { OTEL_TRACES_EXPORTER: 'zipkin' }, '/'), /OTEL_TRACES_EXPORTER has value "zipkin"; allowed: one of otlp, jaeger, console, none/],
    ['sampler ratio', () => resolveConfig({}, { OTEL_TRACES_SAMPLER_ARG: '1.5' }, '/'), /OTEL_TRACES_SAMPLER_ARG has value "1.5"; allowed: a number from 0 to 1/],
    ['log level', () => resolveConfig({ logLevel: 'loud' as 'info' }, noEnv, '/'), /logLevel has value "loud"; allowed: one of fatal/],
    ['profiler switch', () => resolveConfig({}, { VIGIL_PROFILER: 'maybe' }, '/'), /VIGIL_PROFILER has value "maybe"; allowed: on, off/],
    ['route template', () => resolveConfig({ httpRoutes: ['songs/:id'] }, noEnv, '/'), /httpRoutes has value \["songs\/:id"\]/],
    ['endpoint', () => resolveConfig({ otlpEndpoint: 'localhost:4318' }, noEnv, '/'), /otlpEndpoint has value "localhost:4318"; allowed: an http:\/\/ or https:\/\/ URL/],
  ];
  for (const [name, run, message] of invalid) {
    it(`fails with one message naming option, value and what is allowed: ${name}`, () => {
      const error = failure(run);
      assert.equal(error.code, 'VIGIL_ERR_INVALID_OPTION');
      assert.match(error.message, message);
    });
  }

  it('refuses an unknown option by name', () => {
    const error = failure(() => resolveConfig({ servicename: 'x' } as never, noEnv, '/'));
    assert.equal(error.code, 'VIGIL_ERR_UNKNOWN_OPTION');
    assert.match(error.message, /option servicename has value "x"/);
  });
});
