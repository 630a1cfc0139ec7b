#!/usr/bin/env node
// `npm run stack`: Vigil's whole topology on this machine without Docker. The native stack's
// services (deploy/native) plus the log collector, the demo service under the agent and its load.
import { isServiceName, SERVICE_NAMES, type ServiceName } from '../native';
import { printStatus, runCommand } from '../native/cli-output';
import { defaultStackDir } from '../native/paths';
import { APP_NAMES, LocalTopology, type AppName } from './topology';

const USAGE = `usage: npm run stack -- <install|up|down|status> [--purge] [name...]
names: ${[...SERVICE_NAMES, ...APP_NAMES].join(', ')} (all when none is named)
ports: the services' VIGIL_*_PORT variables (docs/native-stack.md), VIGIL_DEMO_PORT (8080),
       VIGIL_DEMO_METRICS_PORT (9464), VIGIL_COLLECTOR_METRICS_PORT (9465)
state: $VIGIL_STACK_DIR (default ./.vigil/stack)`;

const isAppName = (name: string): name is AppName => (APP_NAMES as readonly string[]).includes(name);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const purge = rest.includes('--purge');
  const named = rest.filter((arg) => arg !== '--purge');
  const unknown = named.filter((name) => !isServiceName(name) && !isAppName(name));
  if (command === undefined || unknown.length > 0) {
    process.stderr.write(`${unknown.length > 0 ? `unknown name: ${unknown.join(', ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const all = named.length === 0;
  const services: ServiceName[] = all ? [...SERVICE_NAMES] : named.filter(isServiceName);
  const apps: AppName[] = all ? [...APP_NAMES] : named.filter(isAppName);
  const topology = new LocalTopology({ dir: defaultStackDir(), log: (line) => process.stderr.write(`vigil-stack: ${line}\n`) });

  switch (command) {
    case 'install':
      await topology.stack.install(services);
      return 0;
    case 'up':
      await topology.up(services, apps);
      if (all) process.stderr.write(`vigil-stack: everything is up; \`npm run stack -- status\` lists the addresses, \`npm run stack -- down\` stops it\n`);
      return 0;
    case 'down':
      await topology.down(services, apps, purge);
      return 0;
    case 'status':
      return printStatus([
        ...(await topology.stack.status(services)),
        ...(await topology.appStatus(apps)).map((app) => ({ ...app, version: 'local' })),
      ]);
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

runCommand(() => main(process.argv.slice(2)));
