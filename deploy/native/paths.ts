import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Downloads and builds are kept here across runs, so a warm machine fetches nothing. */
export function cacheDir(): string {
  return process.env.VIGIL_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'vigil');
}

/** The repository root: dist/deploy/native/*.js sits three levels below it. */
export const repositoryRoot = resolve(__dirname, '..', '..', '..');

/** Build recipes (pom.xml, go.mod) are read from the sources, not from dist/. */
export function recipePath(...parts: string[]): string {
  return join(repositoryRoot, 'deploy', 'native', ...parts);
}

/** State of the stack started by the CLI: one directory per service. */
export function defaultStackDir(): string {
  return process.env.VIGIL_STACK_DIR || join(process.cwd(), '.vigil', 'stack');
}
