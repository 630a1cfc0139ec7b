import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DutyCycle, type SamplerState } from '../../../dist/profiler/schedule.js';

const settings = { baselineIntervalMs: 60_000, windowMs: 10_000, busyCpuUtilization: 0.5, busyEventLoopDelayMs: 100, overheadBudget: 0.01 };
const idle = { cpuUtilization: 0.02, eventLoopDelayP99Ms: 1 };
const cpuBound = { cpuUtilization: 0.95, eventLoopDelayP99Ms: 5 };
const laggy = { cpuUtilization: 0.2, eventLoopDelayP99Ms: 300 };

const attached = (trigger: 'baseline' | 'load' | 'on_demand', windowStartedAt: number): SamplerState => ({ attached: true, windowStartedAt, trigger });

describe('load-aware duty cycle', () => {
  it('keeps one baseline window per baseline interval while idle', () => {
    const duty = new DutyCycle(settings);
    assert.deepEqual(duty.next(59_000, idle, 0, attached('baseline', 0)), { type: 'none' });
    assert.deepEqual(duty.next(60_000, idle, 0, attached('baseline', 0)), { type: 'cut', next: 'baseline' });
  });

  it('ends a baseline window on the first busy tick, by CPU or by event-loop delay', () => {
    assert.deepEqual(new DutyCycle(settings).next(3000, cpuBound, 0, attached('baseline', 0)), { type: 'cut', next: 'load' });
    assert.deepEqual(new DutyCycle(settings).next(3000, laggy, 0, attached('baseline', 0)), { type: 'cut', next: 'load' });
  });

  it('cuts load windows at the window length while the load lasts, then falls back to baseline', () => {
    const duty = new DutyCycle(settings);
    assert.deepEqual(duty.next(5_000, cpuBound, 0, attached('load', 0)), { type: 'none' });
    assert.deepEqual(duty.next(10_000, cpuBound, 0, attached('load', 0)), { type: 'cut', next: 'load' });
    // One quiet tick is a lull, not the end of the load.
    assert.equal(duty.next(11_000, idle, 0, attached('load', 10_000)).type, 'none');
    assert.equal(duty.busy, true);
    duty.next(12_000, idle, 0, attached('load', 10_000));
    assert.equal(duty.busy, false);
    assert.deepEqual(duty.next(20_000, idle, 0, attached('load', 10_000)), { type: 'cut', next: 'baseline' });
  });

  it('detaches at the budget and attaches again once spending is well below it', () => {
    const duty = new DutyCycle(settings);
    assert.deepEqual(duty.next(1000, cpuBound, 0.01, attached('load', 0)), { type: 'detach' });
    const detached: SamplerState = { attached: false, windowStartedAt: undefined, trigger: undefined };
    assert.deepEqual(duty.next(2000, cpuBound, 0.008, detached), { type: 'none' });
    assert.deepEqual(duty.next(3000, cpuBound, 0.004, detached), { type: 'attach', next: 'load' });
  });

  it('leaves an on-demand window alone, whatever the load or the budget', () => {
    const duty = new DutyCycle(settings);
    assert.deepEqual(duty.next(120_000, cpuBound, 0.5, attached('on_demand', 0)), { type: 'none' });
  });
});
