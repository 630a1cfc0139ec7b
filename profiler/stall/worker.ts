// The stall watchdog: runs on its own thread, so it keeps running while the main thread is blocked.
// When the main thread's heartbeat is older than the threshold, it attaches to the main thread's
// inspector and samples its stack by pausing it for an instant at a time, which V8 honours even in
// the middle of a long synchronous loop. When the heartbeat comes back, the stacks become a profile.
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import { threadCpuUsage } from '../overhead';
import { Slot, type StallMessage, type WatchdogData } from './protocol';
import { stackProfile, type StackFrame } from './stack-profile';

interface CallFrame {
  functionName: string;
  url: string;
  location: { lineNumber: number };
}

/** A stall longer than this is sampled no further: the profile so far already shows the culprit. */
const MAX_SAMPLES = 600;

const data = workerData as WatchdogData;
const shared = new Float64Array(data.shared);

interface Stall {
  readonly startedAt: number;
  readonly session: Session;
  readonly stacks: StackFrame[][];
}

let stall: Stall | undefined;
let lastProfileAt = 0;

/** Milliseconds since the main thread's last heartbeat; 0 before its first. */
function heartbeatAge(): number {
  const last = shared[Slot.heartbeat]!;
  return last === 0 ? 0 : Date.now() - last;
}

function post(session: Session, method: string): Promise<void> {
  return new Promise((resolve) => session.post(method, () => resolve()));
}

async function begin(): Promise<Stall> {
  const session = new Session();
  session.connectToMainThread();
  const current: Stall = { startedAt: shared[Slot.heartbeat]!, session, stacks: [] };
  // Every pause is answered at once with a resume, even a late one, so the main thread never stays paused.
  session.on('Debugger.paused', (message: { params: { callFrames: CallFrame[] } }) => {
    if (heartbeatAge() > data.thresholdMs && current.stacks.length < MAX_SAMPLES) {
      current.stacks.push(message.params.callFrames.map(toFrame));
    }
    session.post('Debugger.resume');
  });
  await post(session, 'Debugger.enable');
  return current;
}

async function end(current: Stall): Promise<void> {
  await post(current.session, 'Debugger.disable');
  current.session.disconnect();
  if (current.stacks.length === 0) return;
  lastProfileAt = Date.now();
  const endedAt = Date.now();
  const profile = stackProfile(current.stacks, data.sampleIntervalMs, current.startedAt, endedAt - current.startedAt, data.labels);
  const message: StallMessage = { startedAt: current.startedAt, endedAt, samples: current.stacks.length, profile: gzipSync(profile.encode()) };
  parentPort?.postMessage(message);
}

function toFrame(frame: CallFrame): StackFrame {
  return { functionName: frame.functionName, url: frame.url, line: frame.location.lineNumber + 1 };
}

async function tick(): Promise<void> {
  try {
    const blocked = heartbeatAge() > data.thresholdMs;
    if (stall === undefined) {
      if (!blocked || Date.now() - lastProfileAt < data.cooldownMs) return;
      stall = await begin();
      checkEvery(data.sampleIntervalMs);
    }
    if (blocked) {
      stall.session.post('Debugger.pause');
      return;
    }
    const finished = stall;
    stall = undefined;
    checkEvery(data.pollIntervalMs);
    await end(finished);
  } finally {
    const cpu = threadCpuUsage();
    shared[Slot.watchdogCpuSeconds] = (cpu.user + cpu.system) / 1e6;
  }
}

// An interval, not a chain of timeouts: while a reply from the main thread is awaited, the interval
// is what keeps this thread's event loop, and so the thread, alive.
let ticking = false;
let timer: NodeJS.Timeout | undefined;
/** Checks rarely while the main thread runs freely, and samples often while it is stalled. */
function checkEvery(ms: number): void {
  clearInterval(timer);
  timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void tick().finally(() => (ticking = false));
  }, ms);
}
checkEvery(data.pollIntervalMs);
