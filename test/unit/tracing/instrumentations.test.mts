import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';
import { VigilConfigError } from '../../../dist/agent/errors.js';
import { createInstrumentations, loadedTooEarly } from '../../../dist/agent/tracing/instrumentations.js';


describe('instrumentation set', () => {
  it('leaves out the instrumentations named in OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    const config = resolveConfig({}, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'grpc, mongodb' }, '/nonexistent');
    const { names, instrumentations } = createInstrumentations(config.traces.disabledInstrumentations);
    for (const instrumentation of instrumentations) instrumentation.disable();
    assert.ok(!names.includes('grpc') && !names.includes('mongodb'));
    assert.ok(names.includes('http') && names.includes('express'));
    // http spans are Vigil's own (diagnostics channels); every other name is one OpenTelemetry instrumentation.
    assert.equal(instrumentations.length, names.length - 1);
    assert.ok(!instrumentations.some((instrumentation) => instrumentation.instrumentationName.includes('instrumentation-http')));
  });

  it('rejects an unknown instrumentation name, naming the option, the value and the allowed names', () => {
    assert.throws(
      () => resolveConfig({ disabledInstrumentations: ['htttp'] }, {}, '/nonexistent'),
      (error: unknown) =>
        error instanceof VigilConfigError &&
        error.option === 'disabledInstrumentations' &&
        /htttp/.test(error.message) &&
        /http, undici, express/.test(error.allowed),
    );
  });

  it('names instrumented packages that were loaded before the agent, and only enabled ones', () => {
    const loaded = ['/srv/app/node_modules/express/index.js', '/srv/app/node_modules/pg/lib/index.js', '/srv/app/src/server.js'];
    assert.deepEqual(loadedTooEarly(['http', 'express', 'pg'], loaded), ['express', 'pg']);
    assert.deepEqual(loadedTooEarly(['http', 'express'], loaded), ['express']);
    assert.deepEqual(loadedTooEarly(['http', 'express', 'pg'], ['/srv/app/src/server.js']), []);
  });
});
