import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { SERVICES } from '../../../dist/deploy/native/index.js';
import { freePort } from '../../support/ports.mts';
import { runToEnd, type Completed } from '../../support/process.mts';

const cli = new URL('../../../dist/deploy/native/cli.js', import.meta.url).pathname;

function vigilStack(args: string[], env: Record<string, string>): Promise<Completed> {
  return runToEnd(process.execPath, [cli, ...args], { env });
}

/** Service name → [condition, pid] from `vigil-stack status`. */
function parseStatus(stdout: string): Map<string, { condition: string; pid: string }> {
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .map(([name = '', , condition = '', pid = ''] ) => [name, { condition, pid }]),
  );
}

/** Living processes whose working directory is inside `dir`: every service process runs there. */
async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if ((await readlink(`/proc/${entry}/cwd`)).startsWith(dir)) found.push(`${entry} ${stat.slice(0, 80)}`);
    } catch {
      // Gone meanwhile, or not ours to inspect.
    }
  }
  return found;
}

test('vigil-stack up starts every service, restarts only a crashed one, and down leaves no process behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-cli-'));
  const env: Record<string, string> = { VIGIL_STACK_DIR: dir };
  for (const service of SERVICES) for (const { env: variable } of service.ports) env[variable] = String(await freePort());
  try {
    const up = await vigilStack(['up'], env);
    assert.equal(up.code, 0, up.stderr);
    const before = await vigilStack(['status'], env);
    assert.equal(before.code, 0, before.stdout + before.stderr);
    const running = parseStatus(before.stdout);
    assert.deepEqual([...running.keys()].sort(), SERVICES.map((service) => service.name).sort());
    for (const [name, { condition }] of running) assert.equal(condition, 'running', name);

    const kafkaPid = Number(running.get('kafka')?.pid);
    process.kill(-kafkaPid, 'SIGKILL');
    const crashed = await vigilStack(['status', 'kafka'], env);
    assert.equal(crashed.code, 3);
    assert.equal(parseStatus(crashed.stdout).get('kafka')?.condition, 'crashed');

    const again = await vigilStack(['up'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /kafka is not running any more/);
    const after = parseStatus((await vigilStack(['status'], env)).stdout);
    for (const [name, { condition, pid }] of after) {
      assert.equal(condition, 'running', name);
      if (name === 'kafka') assert.notEqual(pid, String(kafkaPid), 'kafka was restarted');
      else assert.equal(pid, running.get(name)?.pid, `${name} was left alone`);
    }

    const down = await vigilStack(['down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(await processesUnder(dir), []);
    const stopped = parseStatus((await vigilStack(['status'], env)).stdout);
    for (const [name, { condition }] of stopped) assert.equal(condition, 'stopped', name);
  } finally {
    await vigilStack(['down', '--purge'], env);
    await rm(dir, { recursive: true, force: true });
  }
});

test('vigil-stack names everything missing in one message on a machine without the tools', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-stack-cli-'));
  try {
    // Only node itself on PATH: no java, mvn, prometheus, alertmanager, go.
    const result = await vigilStack(['up'], { VIGIL_STACK_DIR: dir, PATH: dirname(process.execPath) });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    for (const missing of ['java', 'mvn', 'prometheus', 'prometheus-alertmanager']) assert.match(lines[0] ?? '', new RegExp(`\\b${missing} \\(Debian package`));
    assert.match(lines[0] ?? '', /install-system-packages\.sh/);
    assert.deepEqual(await readdir(dir), [], 'nothing was started');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
