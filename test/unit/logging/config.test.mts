import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';
import { VigilConfigError } from 'vigil';

describe('log configuration', () => {
  it('writes to stdout without brokers, and only on request beside Kafka', () => {
    assert.equal(resolveConfig({ serviceName: 's' }, {}).logs.stdout, true);
    assert.equal(resolveConfig({ serviceName: 's', kafkaBrokers: ['k:9092'] }, {}).logs.stdout, false);
    assert.equal(resolveConfig({ serviceName: 's' }, { VIGIL_KAFKA_BROKERS: 'k:9092', VIGIL_LOG_STDOUT: 'on' }).logs.stdout, true);
  });

  it('keeps the spool per service and takes its caps from the environment', () => {
    const config = resolveConfig({ serviceName: 'songs api' }, { VIGIL_LOG_SPOOL_MAX_BYTES: '1048576', VIGIL_LOG_BUFFER_MAX_BYTES: '65536' });
    assert.match(config.logs.spoolDir, /vigil-spool\/songs_api$/);
    assert.equal(config.logs.spoolMaxBytes, 1048576);
    assert.equal(config.logs.bufferMaxBytes, 65536);
  });

  it('names the variable, the value and what is allowed when a cap is malformed', () => {
    assert.throws(
      () => resolveConfig({ serviceName: 's' }, { VIGIL_LOG_SPOOL_MAX_BYTES: '10MB' }),
      (error: unknown) => error instanceof VigilConfigError && error.option === 'VIGIL_LOG_SPOOL_MAX_BYTES' && error.value === '10MB' && /integer/.test(error.allowed),
    );
    assert.throws(
      () => resolveConfig({ serviceName: 's', logBufferMaxBytes: 10 }, {}),
      (error: unknown) => error instanceof VigilConfigError && error.option === 'logBufferMaxBytes' && /65536/.test(error.allowed),
    );
    assert.throws(
      () => resolveConfig({ serviceName: 's' }, { VIGIL_LOG_STDOUT: 'sometimes' }),
      (error: unknown) => error instanceof VigilConfigError && error.option === 'VIGIL_LOG_STDOUT',
    );
  });
});
