// The real services a test run shares: each is started natively on free loopback ports the first
// time a test file asks for it, reused by later files (they run one after another), and stopped
// with its data directory by the global teardown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkPrerequisites,
  findOnPath,
  recipePath,
  SERVICE_NAMES,
  SERVICES,
  Stack,
  StackPrerequisiteError,
  type ServiceName,
} from '../../dist/deploy/native/index.js';
import { freePort } from './ports.mts';

const RUN_DIR = 'VIGIL_TEST_STACK_DIR';

function stackAt(dir: string): Stack {
  return new Stack({
    dir,
    log: (line) => process.stderr.write(`vigil-stack: ${line}\n`),
    // Never the developer's own stack's ports: every service of a run listens on free ones.
    choosePort: () => freePort(),
    // On a shared CPU Elasticsearch has taken more than a minute to become healthy.
    startTimeoutMs: 240_000,
  });
}

/** Installs Debian's packages the stack needs when they are missing and this machine has apt. */
function installSystemPackages(): void {
  try {
    checkPrerequisites(SERVICES);
  } catch (error) {
    if (!(error instanceof StackPrerequisiteError) || !findOnPath('apt-get')) throw error;
    execFileSync('bash', [recipePath('install-system-packages.sh')], { stdio: 'inherit' });
  }
}

/**
 * Called by the global setup: installs what the services need (downloads and builds in parallel,
 * once per machine) and creates one directory for the whole run, handed to test files by env.
 */
export async function createRunStack(): Promise<void> {
  installSystemPackages();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stack-'));
  process.env[RUN_DIR] = dir;
  await stackAt(dir).install(SERVICE_NAMES);
}

/** Called by the global teardown: stops every service of the run and deletes its data. */
export async function stopRunStack(): Promise<void> {
  const dir = process.env[RUN_DIR];
  if (!dir) return;
  await stackAt(dir).down(undefined, true);
  rmSync(dir, { recursive: true, force: true });
}

let standalone: Stack | undefined;

function runStack(): Stack {
  const dir = process.env[RUN_DIR];
  if (dir) return stackAt(dir);
  // A test file run on its own, without the global setup: its services live as long as it does.
  if (!standalone) {
    const own = mkdtempSync(join(tmpdir(), 'vigil-stack-'));
    standalone = stackAt(own);
    const stack = standalone;
    process.once('beforeExit', () => void stack.down(undefined, true).finally(() => rmSync(own, { recursive: true, force: true })));
  }
  return standalone;
}

export interface SharedService {
  readonly endpoints: Record<string, string>;
  /** Stops the service, keeping its data and ports, as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
}

/** Starts `name` for this run unless it already runs, and returns how to reach it. */
export async function useService(name: ServiceName): Promise<SharedService> {
  const stack = runStack();
  const [status] = await stack.up([name]);
  if (!status) throw new Error(`${name} did not report a status`);
  return {
    endpoints: status.endpoints,
    stop: () => stack.down([name]),
    start: async () => {
      await stack.up([name]);
    },
  };
}
