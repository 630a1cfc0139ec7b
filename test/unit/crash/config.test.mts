// Crash capture's options: the DSN and the unhandled-rejection policy, checked by init() at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { init, VigilConfigError } from 'vigil';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';

describe('crash capture options', () => {
  for (const dsn of ['not a url', 'https://sentry.example.com/1', 'https://key@sentry.example.com/project', 'ftp://key@sentry.example.com/1']) {
    it(`init() refuses the malformed DSN ${JSON.stringify(dsn)}, naming the option, the value and what is allowed`, () => {
      assert.throws(
        () => init({ sentryDsn: dsn, metricsPort: 0, profiler: false, tracesExporter: 'none' }),
        (error: unknown) =>
          error instanceof VigilConfigError &&
          error.option === 'sentryDsn' &&
          error.value === dsn &&
          error.message.includes(JSON.stringify(dsn)) &&
          /allowed: a Sentry DSN such as https:\/\/<public key>@<host>\/<project id>/.test(error.message),
      );
    });
  }

  it('names SENTRY_DSN when the bad DSN comes from the environment', () => {
    assert.throws(() => resolveConfig({}, { SENTRY_DSN: 'sentry' }), (error: unknown) => error instanceof VigilConfigError && error.option === 'SENTRY_DSN');
  });

  it('accepts a DSN with a port and a path before the project id', () => {
    assert.equal(resolveConfig({ sentryDsn: 'http://abc@127.0.0.1:9000/sentry/42' }, {}).sentry.dsn, 'http://abc@127.0.0.1:9000/sentry/42');
  });

  it('takes the unhandled-rejection policy from the option, then VIGIL_UNHANDLED_REJECTIONS, else strict', () => {
    assert.equal(resolveConfig({}, {}).sentry.unhandledRejections, 'strict');
    assert.equal(resolveConfig({}, { VIGIL_UNHANDLED_REJECTIONS: 'WARN' }).sentry.unhandledRejections, 'warn');
    assert.equal(resolveConfig({ unhandledRejections: 'none' }, { VIGIL_UNHANDLED_REJECTIONS: 'warn' }).sentry.unhandledRejections, 'none');
    assert.throws(
      () => resolveConfig({}, { VIGIL_UNHANDLED_REJECTIONS: 'crash' }),
      (error: unknown) => error instanceof VigilConfigError && error.option === 'VIGIL_UNHANDLED_REJECTIONS' && error.allowed === 'one of strict, warn, none',
    );
  });

  it('environment and release default to the service identity, SENTRY_ENVIRONMENT and SENTRY_RELEASE win', () => {
    const fromIdentity = resolveConfig({ serviceName: 'songs', serviceVersion: '1.2.3', environment: 'prod' }, {}).sentry;
    assert.equal(fromIdentity.environment, 'prod');
    assert.equal(fromIdentity.release, 'songs@1.2.3');
    const fromEnv = resolveConfig({ serviceName: 'songs' }, { SENTRY_ENVIRONMENT: 'canary', SENTRY_RELEASE: 'r42' }).sentry;
    assert.deepEqual([fromEnv.environment, fromEnv.release], ['canary', 'r42']);
  });
});
