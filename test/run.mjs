// Runs the suites with node's test runner: `node test/run.mjs [unit] [integration]` (both by default).
// Unit files run in parallel; integration files one at a time, since they share the real services
// that test/support starts once per run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const requested = process.argv.slice(2);
const suites = requested.length > 0 ? requested : ['unit', 'integration'];

function testFiles(dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.mts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

let failed = false;
for (const suite of suites) {
  const files = testFiles(join('test', suite));
  if (files.length === 0) continue;
  const args = ['--test', `--test-concurrency=${suite === 'unit' ? 2 : 1}`, '--test-timeout=600000'];
  if (suite === 'integration') args.push(`--test-global-setup=${join(root, 'test/support/global-setup.mts')}`);
  const run = spawnSync(process.execPath, [...args, ...files], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
