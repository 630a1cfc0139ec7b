#!/usr/bin/env node
// vigil-stack: the real services of Vigil's stack on this machine, without Docker.
import { isServiceName, SERVICE_NAMES } from './catalogue';
import { printStatus, runCommand } from './cli-output';
import { defaultStackDir } from './paths';
import { Stack } from './stack';
import type { ServiceName } from './service';

const USAGE = `usage: vigil-stack <install|up|down|status> [--purge] [service...]
services: ${SERVICE_NAMES.join(', ')} (all when none is named)
state: $VIGIL_STACK_DIR (default ./.vigil/stack); downloads: $VIGIL_CACHE_DIR (default ~/.cache/vigil)`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const purge = rest.includes('--purge');
  const requested = rest.filter((arg) => arg !== '--purge');
  const unknown = requested.filter((name) => !isServiceName(name));
  if (!command || unknown.length > 0) {
    process.stderr.write(`${unknown.length > 0 ? `unknown service: ${unknown.join(', ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const names: ServiceName[] = requested.length > 0 ? requested.filter(isServiceName) : [...SERVICE_NAMES];
  const stack = new Stack({ dir: defaultStackDir(), log: (line) => process.stderr.write(`vigil-stack: ${line}\n`) });

  switch (command) {
    case 'install':
      await stack.install(names);
      return 0;
    case 'up':
      await stack.up(names);
      return 0;
    case 'down':
      await stack.down(names, purge);
      return 0;
    case 'status':
      return printStatus(await stack.status(names));
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

runCommand(() => main(process.argv.slice(2)));
