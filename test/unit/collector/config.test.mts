import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilConfigError } from 'vigil';
import { resolveCollectorConfig } from '../../../dist/collectors/logs/config.js';

const brokers = { VIGIL_KAFKA_BROKERS: 'kafka-1:9092' };

/** The VigilConfigError `run` throws; the assertion fails when it throws nothing or something else. */
function failure(run: () => unknown): VigilConfigError {
  let refused: unknown;
  assert.throws(run, (error) => ((refused = error), error instanceof VigilConfigError));
  return refused as VigilConfigError;
}

describe('collector configuration', () => {
  it('fills the documented defaults: both log topics, port 9465, data stream lifecycle of 30 days', () => {
    const config = resolveCollectorConfig([], brokers);
    assert.deepEqual(config.brokers, ['kafka-1:9092']);
    assert.deepEqual(config.topics, ['vigil-logs', 'vigil-logs-shadow']);
    assert.equal(config.groupId, 'vigil-collector');
    assert.equal(config.deadLetterTopic, 'vigil-logs-dead-letter');
    assert.equal(config.elasticsearchUrl, 'http://localhost:9200');
    assert.equal(config.metricsPort, 9465);
    assert.equal(config.retention, 'lifecycle');
    assert.equal(config.retentionDays, 30);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.topics));
  });

  it('follows VIGIL_LOG_TOPIC for the default topics, as the agent does', () => {
    assert.deepEqual(resolveCollectorConfig([], { ...brokers, VIGIL_LOG_TOPIC: 'app-logs' }).topics, ['app-logs', 'app-logs-shadow']);
  });

  it('lets flags win over the environment, in both --flag value and --flag=value form', () => {
    const config = resolveCollectorConfig(
      ['--brokers', '127.0.0.1:1', '--retention-days=7', '--retention', 'ilm', '--group=g2'],
      { ...brokers, VIGIL_COLLECTOR_RETENTION_DAYS: '90' },
    );
    assert.deepEqual(config.brokers, ['127.0.0.1:1']);
    assert.equal(config.retentionDays, 7);
    assert.equal(config.retention, 'ilm');
    assert.equal(config.groupId, 'g2');
  });

  it('refuses to start without brokers, naming the flag and the variable', () => {
    const error = failure(() => resolveCollectorConfig([], {}));
    assert.equal(error.option, '--brokers');
    assert.match(error.message, /VIGIL_KAFKA_BROKERS/);
  });

  it('names the variable, the value and what is allowed for a bad number', () => {
    const error = failure(() => resolveCollectorConfig([], { ...brokers, VIGIL_COLLECTOR_METRICS_PORT: '70000' }));
    assert.equal(error.option, 'VIGIL_COLLECTOR_METRICS_PORT');
    assert.equal(error.value, '70000');
    assert.match(error.message, /an integer from 0 to 65535/);
  });

  it('refuses malformed brokers, URLs, topics and retention modes', () => {
    assert.equal(failure(() => resolveCollectorConfig(['--brokers', 'kafka-1'], {})).option, '--brokers');
    assert.equal(failure(() => resolveCollectorConfig(['--elasticsearch-url', 'es:9200'], brokers)).option, '--elasticsearch-url');
    assert.equal(failure(() => resolveCollectorConfig(['--topics', 'a,b c'], brokers)).option, '--topics');
    assert.match(failure(() => resolveCollectorConfig(['--retention', 'forever'], brokers)).message, /lifecycle or ilm/);
  });

  it('takes Elasticsearch credentials from the environment, an API key before a password', () => {
    assert.equal(resolveCollectorConfig([], brokers).elasticsearchAuth, undefined);
    const basic = { ...brokers, VIGIL_ELASTICSEARCH_USERNAME: 'collector', VIGIL_ELASTICSEARCH_PASSWORD: 's3cret' };
    assert.deepEqual(resolveCollectorConfig([], basic).elasticsearchAuth, { username: 'collector', password: 's3cret' });
    assert.deepEqual(resolveCollectorConfig([], { ...basic, VIGIL_ELASTICSEARCH_API_KEY: 'a2V5' }).elasticsearchAuth, { apiKey: 'a2V5' });
    assert.equal(failure(() => resolveCollectorConfig([], { ...brokers, VIGIL_ELASTICSEARCH_USERNAME: 'collector' })).option, 'VIGIL_ELASTICSEARCH_PASSWORD');
  });

  it('refuses an unknown flag and a flag without its value', () => {
    const unknown = failure(() => resolveCollectorConfig(['--bootstrap-servers', 'x'], brokers));
    assert.equal(unknown.code, 'VIGIL_ERR_UNKNOWN_OPTION');
    assert.match(unknown.message, /--brokers/);
    assert.equal(failure(() => resolveCollectorConfig(['--group'], brokers)).option, '--group');
  });
});
