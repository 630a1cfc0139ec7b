import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VigilConfigError } from 'vigil';
import { PROFILER_DEFAULTS, startProfiler } from 'vigil/profiler';

const identity = { service: 'songs', version: '1.0.0', environment: 'test', tier: 2 };

function refused(run: () => unknown): VigilConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof VigilConfigError, `expected VigilConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the profiler to refuse its options');
}

describe('profiler options', () => {
  it('defaults to a 1% budget, 10 s load windows and a 60 s baseline', () => {
    assert.equal(PROFILER_DEFAULTS.overheadBudget, 0.01);
    assert.equal(PROFILER_DEFAULTS.windowMs, 10_000);
    assert.equal(PROFILER_DEFAULTS.baselineIntervalMs, 60_000);
  });

  it('names the option, the value and what is allowed', () => {
    const error = refused(() => startProfiler({ identity, overheadBudget: 5 }));
    assert.equal(error.option, 'overheadBudget');
    assert.equal(error.value, 5);
    assert.match(error.message, /overheadBudget has value 5; allowed: a number from 0.0001 to 1/);
  });

  it('refuses a push URL that is not http(s), and a missing identity', () => {
    assert.equal(refused(() => startProfiler({ identity, pushUrl: 'ftp://pyroscope:4040' })).option, 'pushUrl');
    assert.equal(refused(() => startProfiler({} as never)).option, 'identity');
  });

  it('refuses a fractional window length', () => {
    assert.equal(refused(() => startProfiler({ identity, windowMs: 1500.5 })).option, 'windowMs');
  });
});
