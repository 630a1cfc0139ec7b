import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { groupHasLivingMember } from './proc';
import type { LaunchSpec } from './service';

/**
 * Starts `spec` detached in its own process group, output appended to `logFile`, so it outlives
 * the caller and everything it forks (the Elasticsearch launcher starts a second JVM) can be
 * stopped together. Returns the process id, which is also the group id.
 */
export function startDetached(spec: LaunchSpec, logFile: string, cwd: string): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForGroupExit(group: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupHasLivingMember(group)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no member is left. */
export async function stopGroup(group: number, graceMs = 30_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-group, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  if (await waitForGroupExit(group, graceMs)) return;
  signal('SIGKILL');
  if (!(await waitForGroupExit(group, 5_000))) throw new Error(`process group ${group} survived SIGKILL`);
}
