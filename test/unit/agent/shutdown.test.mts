import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShutdownCoordinator, ShutdownStage } from '../../../dist/agent/lifecycle/shutdown.js';
import { createDiag } from '../../../dist/agent/diag.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('shutdown coordinator', () => {
  it('flushes stage by stage: producers before sinks before servers', async () => {
    const order: string[] = [];
    const coordinator = new ShutdownCoordinator(1000, createDiag(() => {}));
    const participant = (name: string, stage: (typeof ShutdownStage)[keyof typeof ShutdownStage], ms: number) =>
      coordinator.register({ name, stage, close: async () => (await sleep(ms), void order.push(name)) });
    participant('metrics', ShutdownStage.servers, 0);
    participant('logs', ShutdownStage.logs, 20);
    participant('spans', ShutdownStage.spans, 30);
    participant('profiles', ShutdownStage.profiles, 10);
    const report = await coordinator.run();
    assert.deepEqual(order, ['profiles', 'spans', 'logs', 'metrics']);
    assert.deepEqual(report, { unfinished: [], failed: [] });
  });

  it('keeps to one total budget, aborts the slow flush and names what did not finish', async () => {
    const lines: string[] = [];
    const coordinator = new ShutdownCoordinator(100, createDiag((line) => lines.push(line)));
    let sawAbort = false;
    coordinator.register({
      name: 'spans',
      stage: ShutdownStage.spans,
      close: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => ((sawAbort = true), resolve()))),
    });
    coordinator.register({ name: 'metrics', stage: ShutdownStage.servers, close: async () => {} });
    const started = Date.now();
    const report = await coordinator.run();
    assert.ok(Date.now() - started < 1000);
    assert.ok(sawAbort, 'the slow participant was told to stop');
    assert.deepEqual(report.unfinished, ['spans', 'metrics']);
    assert.match(lines.join(''), /shutdown budget of 100 ms ran out; not finished: spans, metrics/);
  });

  it('a failing flush does not stop the others, and running twice flushes once', async () => {
    let closes = 0;
    const coordinator = new ShutdownCoordinator(1000, createDiag(() => {}));
    coordinator.register({ name: 'logs', stage: ShutdownStage.logs, close: async () => Promise.reject(new Error('broker gone')) });
    coordinator.register({ name: 'metrics', stage: ShutdownStage.servers, close: async () => void closes++ });
    const [first, second] = await Promise.all([coordinator.run(), coordinator.run()]);
    assert.equal(first, second);
    assert.deepEqual(first.failed, ['logs']);
    assert.equal(closes, 1);
  });
});
