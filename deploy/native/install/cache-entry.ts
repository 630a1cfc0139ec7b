import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Fills `target` once: `produce` writes into a scratch path beside it, which is renamed into place
 * only when complete. An interrupted or concurrent install never leaves a half-filled target.
 */
export async function fillOnce(target: string, produce: (scratch: string) => Promise<void>): Promise<boolean> {
  if (existsSync(target)) return false;
  await mkdir(dirname(target), { recursive: true });
  const scratch = `${target}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  try {
    await produce(scratch);
    if (existsSync(target)) return false;
    await rename(scratch, target);
    return true;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
