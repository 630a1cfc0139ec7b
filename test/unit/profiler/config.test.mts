import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';
import { VigilConfigError } from 'vigil';

describe('profiler configuration of the agent', () => {
  it('defaults: on, endpoints on, a per-service store under the temp folder, a 1% budget, no push', () => {
    const { profiler } = resolveConfig({ serviceName: 'songs api' }, {}, '/nonexistent');
    assert.deepEqual(profiler, {
      enabled: true,
      pprofToken: undefined,
      endpoints: true,
      storeDir: join(tmpdir(), 'vigil-profiles', 'songs_api'),
      storeMaxBytes: 64 * 1024 * 1024,
      pushUrl: undefined,
      overheadBudget: 0.01,
    });
  });

  it('reads every setting from its variable', () => {
    const env = {
      VIGIL_PROFILER: 'off',
      VIGIL_PPROF_TOKEN: 'tok',
      VIGIL_PPROF_ENDPOINTS: 'off',
      VIGIL_PROFILE_DIR: '/var/lib/profiles',
      VIGIL_PROFILE_STORE_MAX_BYTES: '1048576',
      VIGIL_PYROSCOPE_URL: 'http://pyroscope:4040',
      VIGIL_PROFILER_BUDGET: '0.02',
    };
    assert.deepEqual(resolveConfig({}, env, '/nonexistent').profiler, {
      enabled: false,
      pprofToken: 'tok',
      endpoints: false,
      storeDir: '/var/lib/profiles',
      storeMaxBytes: 1048576,
      pushUrl: 'http://pyroscope:4040',
      overheadBudget: 0.02,
    });
  });

  it('names the variable or option that is wrong', () => {
    assert.throws(() => resolveConfig({}, { VIGIL_PROFILER_BUDGET: '5%' }, '/nonexistent'), (error: VigilConfigError) => error.option === 'VIGIL_PROFILER_BUDGET');
    assert.throws(() => resolveConfig({ pyroscopeUrl: 'pyroscope:4040' }, {}, '/nonexistent'), (error: VigilConfigError) => error.option === 'pyroscopeUrl');
    assert.throws(() => resolveConfig({ profileStoreMaxBytes: 10 }, {}, '/nonexistent'), (error: VigilConfigError) => error.option === 'profileStoreMaxBytes');
  });
});
