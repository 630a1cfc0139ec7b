// The fatal path: flush first, then exit 1; and exit anyway when the flush does not finish in time.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createDiag } from '../../../dist/agent/diag.js';
import { fatalExit } from '../../../dist/agent/crash/fatal.js';

describe('fatal exit', () => {
  const exitCodeBefore = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCodeBefore;
  });

  it('prints the error, flushes every signal, then exits with code 1, once', async () => {
    const steps: string[] = [];
    const lines: string[] = [];
    let exited!: () => void;
    const done = new Promise<void>((resolve) => (exited = resolve));
    const onFatal = fatalExit({
      diag: createDiag((line) => lines.push(line)),
      budgetMs: 1000,
      flushAll: async () => {
        steps.push('flush');
        await new Promise((resolve) => setTimeout(resolve, 50));
        steps.push('flushed');
      },
      exit: (code) => {
        steps.push(`exit ${code}`);
        exited();
      },
    });
    onFatal(new Error('first'));
    onFatal(new Error('second'));
    assert.equal(process.exitCode, 1, 'a loop that drains early still ends the process as failed');
    await done;
    assert.deepEqual(steps, ['flush', 'flushed', 'exit 1']);
    assert.match(lines.join(''), /vigil: warn: crash: the process ends on an uncaught error; sending the crash event and flushing signals \(at most 1000 ms\)/);
  });

  it('exits when the flush outlasts the budget', async () => {
    let exitedAt = 0;
    const started = Date.now();
    let exited!: () => void;
    const done = new Promise<void>((resolve) => (exited = resolve));
    fatalExit({
      diag: createDiag(() => {}),
      budgetMs: 100,
      flushAll: () => new Promise(() => {}),
      exit: () => {
        exitedAt = Date.now();
        exited();
      },
    })(new Error('stuck'));
    // The backstop timer is unref'd; keep this test's loop alive until it fires.
    const keepAlive = setTimeout(() => {}, 5000);
    await done;
    clearTimeout(keepAlive);
    assert.ok(exitedAt - started >= 100 && exitedAt - started < 3000, `exited after ${exitedAt - started} ms`);
  });
});
