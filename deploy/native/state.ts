import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the stack remembers about one service between commands, in `<dir>/state.json`. */
export interface ServiceState {
  readonly version: string;
  readonly ports: Record<string, number>;
  readonly secrets: Record<string, string>;
  readonly pid?: number;
  /** The start time of `pid`, to tell our process from a later one that reused the pid. */
  readonly pidStartTime?: string;
}

const file = (dir: string) => join(dir, 'state.json');

export function readState(dir: string): ServiceState | undefined {
  if (!existsSync(file(dir))) return undefined;
  return JSON.parse(readFileSync(file(dir), 'utf8')) as ServiceState;
}

export async function writeState(dir: string, state: ServiceState): Promise<void> {
  await mkdir(dir, { recursive: true });
  // Holds a generated password: readable by the owner only; renamed into place whole.
  await writeFile(`${file(dir)}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file(dir)}.tmp`, file(dir));
}
