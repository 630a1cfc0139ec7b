import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { LoadSample } from './schedule';

/** Event-loop delay is sampled this coarsely: enough to see a loaded loop, cheap on an idle one. */
const DELAY_RESOLUTION_MS = 20;

/** Measures process CPU use and event-loop delay between two calls of sample(). */
export class LoadMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.delay.enable();
  }

  sample(): LoadSample {
    const cpu = process.cpuUsage();
    const at = performance.now();
    const usedMicros = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    const wallMicros = (at - this.lastAt) * 1000;
    this.lastCpu = cpu;
    this.lastAt = at;
    // The histogram counts the timer's own resolution as delay; only what exceeds it is load.
    const p99Ms = this.delay.count > 0 ? Math.max(0, this.delay.percentile(99) / 1e6 - DELAY_RESOLUTION_MS) : 0;
    this.delay.reset();
    return { cpuUtilization: wallMicros > 0 ? usedMicros / wallMicros : 0, eventLoopDelayP99Ms: p99Ms };
  }

  stop(): void {
    this.delay.disable();
  }
}
