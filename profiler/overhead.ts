import { readdir, readFile } from 'node:fs/promises';

const MINUTE_MS = 60_000;
/** Linux reports thread CPU time in clock ticks of 1/100 s on every common configuration. */
const CLOCK_TICKS_PER_SECOND = 100;
const V8_PROFILER_THREAD = 'v8:ProfEvntProc';

/**
 * The profiler's own CPU time: synchronous work on the main thread (measured with the thread's own
 * CPU clock) and V8's sampler thread while a CPU profile runs.
 */
export class ProfilerCpuClock {
  private totalSeconds = 0;
  private measuring = false;
  private readonly history: { at: number; total: number }[] = [];

  constructor(private readonly onSpent: (seconds: number) => void = () => {}) {}

  /** Runs `work` and books the main-thread CPU time it used; a measure inside a measure is booked once. */
  measure<T>(work: () => T): T {
    if (this.measuring) return work();
    this.measuring = true;
    const before = threadCpuUsage();
    try {
      return work();
    } finally {
      this.measuring = false;
      const after = threadCpuUsage();
      const used = { user: after.user - before.user, system: after.system - before.system };
      this.add((used.user + used.system) / 1e6);
    }
  }

  add(seconds: number): void {
    if (!(seconds > 0)) return;
    this.totalSeconds += seconds;
    this.onSpent(seconds);
  }

  get total(): number {
    return this.totalSeconds;
  }

  /** The profiler's CPU over the last minute as a share of one core; call once per tick. */
  spentShare(now: number): number {
    this.history.push({ at: now, total: this.totalSeconds });
    while (this.history.length > 1 && now - this.history[0]!.at > MINUTE_MS) this.history.shift();
    const oldest = this.history[0]!;
    // Over a window shorter than a minute the share is still taken over a full minute, as the budget is.
    return ((this.totalSeconds - oldest.total) * 1000) / MINUTE_MS;
  }
}

/**
 * CPU time of V8's profiler thread, which runs beside the main thread while a CPU profile is
 * attached. Read from /proc on Linux; elsewhere it stays 0 and only main-thread work is booked.
 */
export class V8ProfilerThreadClock {
  private tid: string | undefined;
  private lastSeconds = 0;

  /** Seconds the thread used since the previous call. */
  async elapsed(): Promise<number> {
    try {
      this.tid ??= await findThread(V8_PROFILER_THREAD);
      if (this.tid === undefined) return 0;
      const stat = await readFile(`/proc/self/task/${this.tid}/stat`, 'utf8').catch(() => undefined);
      if (stat === undefined) {
        // The thread ended with its profile; a new one gets a new id.
        this.tid = undefined;
        this.lastSeconds = 0;
        return 0;
      }
      const seconds = threadSeconds(stat);
      const elapsed = Math.max(0, seconds - this.lastSeconds);
      this.lastSeconds = seconds;
      return elapsed;
    } catch {
      return 0;
    }
  }
}

async function findThread(name: string): Promise<string | undefined> {
  for (const tid of await readdir('/proc/self/task')) {
    const comm = await readFile(`/proc/self/task/${tid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === name) return tid;
  }
  return undefined;
}

/**
 * CPU time of the calling thread. Node.js before 23.9 has no per-thread clock; there the process's
 * is taken, which books other threads' work done meanwhile too: the budget errs on the safe side.
 */
export function threadCpuUsage(): NodeJS.CpuUsage {
  return typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : process.cpuUsage();
}

/** utime + stime of one /proc/<pid>/task/<tid>/stat line, in seconds. */
export function threadSeconds(stat: string): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : 0;
}
