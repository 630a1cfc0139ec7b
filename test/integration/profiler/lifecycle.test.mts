// The profiler never keeps a process alive: its timers are unreferenced.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startNode } from '../../support/process.mts';

describe('profiler lifecycle', () => {
  it('lets a script that started the agent exit by itself when its work is done', async () => {
    const child = startNode(join(import.meta.dirname, '../../fixtures/profiler/short-lived.mjs'), {
      env: { VIGIL_PROFILE_DIR: await mkdtemp(join(tmpdir(), 'vigil-short-')) },
    });
    const timeout = setTimeout(() => void child.stop('SIGKILL'), 15_000);
    const code = await child.exited;
    clearTimeout(timeout);
    assert.equal(code, 0, `the process was still running after 15 s; output:\n${child.output()}`);
    assert.match(child.output(), /started/);
  });
});
