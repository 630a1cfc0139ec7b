import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const bin = new URL('../../../dist/collectors/logs/cli.js', import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('vigil-collector command', () => {
  it('exits with status 2 and one line naming the flag, the value and what is allowed', () => {
    const result = run(['--batch-wait-ms', 'soon'], { VIGIL_KAFKA_BROKERS: '127.0.0.1:9092' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /VIGIL_ERR_INVALID_OPTION: option --batch-wait-ms has value "soon"; allowed: an integer from 0 to 60000/);
  });

  it('prints every flag with its environment variable for --help', () => {
    const result = run(['--help']);
    assert.equal(result.status, 0);
    for (const flag of ['--brokers', '--elasticsearch-url', '--retention-days', '--metrics-port']) assert.match(result.stdout, new RegExp(flag));
    assert.match(result.stdout, /VIGIL_COLLECTOR_METRICS_PORT/);
  });
});
