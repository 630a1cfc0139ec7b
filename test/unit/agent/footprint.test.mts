import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const register = new URL('../../../dist/agent/register-cjs.js', import.meta.url).pathname;

/** Node.js's own modules a service has loaded once the agent started, exported to `endpoint`. */
function builtinsLoadedWith(endpoint: string): string[] {
  const report = 'setTimeout(() => console.log(JSON.stringify(process.moduleLoadList)), 300)';
  const result = spawnSync(process.execPath, ['--require', register, '-e', report], {
    env: { PATH: process.env.PATH ?? '', OTEL_SERVICE_NAME: 'footprint', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, VIGIL_METRICS_PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const loaded = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as string[];
  return loaded.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => entry.slice('NativeModule '.length));
}

describe('agent footprint', () => {
  it('loads node:https and node:tls (some 5 MiB resident) only for an https endpoint', () => {
    const plain = builtinsLoadedWith('http://127.0.0.1:4318');
    assert.ok(plain.includes('http'));
    assert.ok(!plain.includes('https') && !plain.includes('tls'), `loaded: ${plain.filter((name) => !name.startsWith('internal/')).join(', ')}`);
    const secure = builtinsLoadedWith('https://127.0.0.1:4318');
    assert.ok(secure.includes('https') && secure.includes('tls'));
  });
});
