import type { Diag } from '../agent/diag';
import { CpuSampler, type CpuWindow } from './cpu-sampler';
import { encodeProfile } from './encode';
import { HeapSampler, heapUsedShare } from './heap-sampler';
import { LoadMonitor } from './load';
import { createProfilerMetrics, type MetricFactory } from './metrics';
import type { ProfileKind, ProfilerSettings, ProfileTrigger } from './options';
import { ProfilerCpuClock, V8ProfilerThreadClock } from './overhead';
import { PyroscopePusher } from './push';
import { DutyCycle } from './schedule';
import { tagRequestSpans } from './span-labels';
import { labelStallSamples, stallProfile, watchForStalls, type Stall } from './stall';
import { ProfileStore } from './store';

/** The scheduler looks at load this often: a load spike is answered within about this long. */
const TICK_MS = 1000;
/** One stall profile a minute at most: under heavy load stalls come in runs, which the load windows record. */
const STALL_COOLDOWN_MS = 60_000;
/** Stalls with no other within this long are over, as far as the one stderr line per state goes. */
const STALL_QUIET_MS = 5 * 60_000;
/** A heap profile for crossing the threshold is taken again only after use fell this far below it. */
const HEAP_REARM_MARGIN = 0.05;

export interface Profiler {
  /** Records a CPU profile of the next `seconds` (less if `signal` aborts first); gzipped pprof. */
  captureCpu(seconds: number, signal?: AbortSignal): Promise<Buffer>;
  /** The heap sampling profile now; gzipped pprof. */
  captureHeap(): Promise<Buffer>;
  /** The store, when profiles are kept on disk. */
  readonly store: ProfileStore | undefined;
  /** Ends the current window, keeps its profile, and stops everything; bounded by `signal`. */
  stop(signal?: AbortSignal): Promise<void>;
}

export interface ProfilerDeps {
  readonly diag: Diag;
  readonly metrics: MetricFactory;
}

/** Starts the load-aware CPU and heap profiler. Never throws into the host after it has started. */
export function runProfiler(settings: ProfilerSettings, deps: ProfilerDeps): Profiler {
  const { diag } = deps;
  const store = settings.storeDir === undefined ? undefined : new ProfileStore(settings.storeDir, settings.storeMaxBytes);
  const metrics = createProfilerMetrics(deps.metrics, () => store?.bytes ?? 0);
  const clock = new ProfilerCpuClock((seconds) => metrics.cpuSeconds.inc(seconds));
  const pusher =
    settings.pushUrl === undefined
      ? undefined
      : new PyroscopePusher(settings.pushUrl, settings.identity, {
          dropped: (reason) => metrics.dropped.inc({ reason: `push_${reason}` }),
          health: (error) =>
            diag.state(
              'profiler.push',
              error === undefined ? 'ok' : 'failing',
              error === undefined ? `profiles reach ${settings.pushUrl} again` : `pushing profiles to ${settings.pushUrl} fails (${error}); retrying with backoff`,
            ),
        });

  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T | undefined> => {
    const guarded = work.catch((error: Error) => {
      diag.state('profiler.run', 'failed', `profiler step failed: ${error.message}`);
      return undefined;
    });
    pending.add(guarded);
    void guarded.finally(() => pending.delete(guarded));
    return guarded;
  };

  let storeFailing = false;
  /** Counts, stores and pushes one finished profile. */
  const keep = async (kind: ProfileKind, trigger: ProfileTrigger, startedAt: Date, endedAt: Date, data: Buffer) => {
    metrics.profiles.inc({ kind, trigger });
    pusher?.push({ kind, startedAt, endedAt, data });
    if (store === undefined) return;
    try {
      await store.add(startedAt, kind, trigger, data);
      if (storeFailing) diag.state('profiler.store', 'ok', `profiles are stored in ${store.dir} again`);
      storeFailing = false;
    } catch (error) {
      storeFailing = true;
      metrics.dropped.inc({ reason: 'store_failed' });
      diag.state('profiler.store', 'failing', `profiles cannot be stored in ${store.dir} (${(error as Error).message}); they are dropped and counted`);
    }
  };

  const keepCpu = async (window: CpuWindow | undefined, trigger: ProfileTrigger): Promise<Buffer | undefined> => {
    if (window === undefined) return undefined;
    const data = encodeProfile(window.profile, settings.identity, clock);
    await keep('cpu', trigger, window.startedAt, window.endedAt, data);
    return data;
  };

  const heapSampler = new HeapSampler();
  let heapReady = false;
  try {
    heapSampler.start((profile) => {
      try {
        const at = new Date();
        const data = encodeProfile(profile, settings.identity, clock);
        metrics.profiles.inc({ kind: 'heap', trigger: 'heap_threshold' });
        const name = store?.addNow(at, 'heap', 'heap_threshold', data);
        diag.warn(`heap is at V8's limit; a heap profile was kept${name === undefined ? '' : ` as ${name}`}`);
        pusher?.push({ kind: 'heap', startedAt: at, endedAt: at, data });
      } catch (error) {
        metrics.dropped.inc({ reason: 'store_failed' });
        diag.warn(`heap is at V8's limit, and its profile could not be kept: ${(error as Error).message}`);
      }
    });
    heapReady = true;
  } catch (error) {
    diag.state('profiler.heap', 'failed', `heap profiler could not start: ${(error as Error).message}; heap profiles are off`);
  }
  const takeHeap = async (trigger: ProfileTrigger): Promise<Buffer | undefined> => {
    if (!heapReady) return undefined;
    const at = new Date();
    const profile = clock.measure(() => heapSampler.snapshot());
    if (profile === undefined) return undefined;
    const data = encodeProfile(profile, settings.identity, clock);
    await keep('heap', trigger, at, at, data);
    return data;
  };

  const sampler = new CpuSampler(settings.samplingIntervalMicros, clock);
  const spanTags = tagRequestSpans(sampler, settings.overheadBudget);
  const v8Thread = new V8ProfilerThreadClock();
  let trigger: ProfileTrigger | undefined;
  let overBudget = false;
  const attach = (next: ProfileTrigger): boolean => {
    try {
      sampler.attach();
      trigger = next;
      return true;
    } catch (error) {
      diag.state('profiler.cpu', 'failed', `CPU profiler could not attach: ${(error as Error).message}`);
      return false;
    }
  };
  let pendingStall: Stall | undefined;
  let lastStallAt: number | undefined;
  /** Keeps the samples of `stall` from the window that holds them as a profile of their own. */
  const keepStall = (window: CpuWindow | undefined, stall: Stall) => {
    const ms = stall.endedAt.getTime() - stall.startedAt.getTime();
    const profile = window === undefined ? undefined : stallProfile(window.profile, stall, window.samplesTimed);
    if (profile === undefined) {
      diag.state('profiler.stall', 'stalled', `event loop was blocked for ${ms} ms; the CPU sampler (paused over its budget?) took no sample of it`);
      return;
    }
    const samples = profile.sample.reduce((sum, sample) => sum + Number(sample.value[0]), 0);
    diag.state(
      'profiler.stall',
      'stalled',
      `event loop was blocked for ${ms} ms; a profile of what it ran (${samples} stack samples) was kept. ` +
        'Further stall profiles, one a minute at most, are counted in vigil_profiles_total{trigger="stall"}',
    );
    void track(keep('cpu', 'stall', stall.startedAt, stall.endedAt, encodeProfile(profile, settings.identity, clock)));
  };
  /** Ends the current window (keeping its profile) and starts the next one with `next`. */
  const cut = (next: ProfileTrigger | undefined): Promise<Buffer | undefined> => {
    const ended = trigger;
    const stall = pendingStall;
    pendingStall = undefined;
    const labels = stall === undefined ? spanTags.labels : labelStallSamples(stall, spanTags.labels);
    const window = next === undefined ? sampler.detach(labels) : sampler.cut(labels);
    spanTags.windowEnded();
    trigger = next;
    // Before the window's own profile is encoded, which adds labels to the samples both share.
    if (stall !== undefined) keepStall(window, stall);
    return ended === undefined ? Promise.resolve(undefined) : track(keepCpu(window, ended));
  };
  const stopWatchingStalls = watchForStalls(settings.stallThresholdMs, (stall) => {
    if (lastStallAt !== undefined && stall.endedAt.getTime() - lastStallAt < STALL_COOLDOWN_MS) return;
    lastStallAt = stall.endedAt.getTime();
    try {
      if (!sampler.attached) return keepStall(undefined, stall);
      pendingStall = stall;
      // The samples are in the current window already; an on-demand window keeps its length, and
      // the stall is cut out of it when it ends.
      if (trigger === 'baseline' || trigger === 'load') void cut(trigger);
    } catch (error) {
      diag.state('profiler.run', 'failed', `profiler step failed: ${(error as Error).message}`);
    }
  });
  attach('baseline');

  const load = new LoadMonitor();
  const duty = new DutyCycle(settings);
  let heapArmed = true;
  let lastHeapAt = Date.now();
  let stopped = false;

  const tick = () => {
    void track(v8Thread.elapsed().then((seconds) => clock.add(seconds)));
    const now = Date.now();
    const spentShare = clock.spentShare(now);
    spanTags.adjustRate(now, spentShare);
    const action = duty.next(now, load.sample(), spentShare, {
      attached: sampler.attached,
      windowStartedAt: sampler.startedAt?.getTime(),
      trigger,
    });
    if (action.type === 'attach' && attach(action.next) && overBudget) {
      overBudget = false;
      diag.state('profiler.budget', 'ok', 'profiler is back under its CPU budget; sampling again');
    } else if (action.type === 'cut') {
      void cut(action.next);
    } else if (action.type === 'detach') {
      overBudget = true;
      diag.state('profiler.budget', 'over', `profiler reached its CPU budget of ${settings.overheadBudget * 100}% of a core; sampling paused`);
      void cut(undefined);
    }

    if (lastStallAt !== undefined && now - lastStallAt > STALL_QUIET_MS) {
      lastStallAt = undefined;
      diag.state('profiler.stall', 'ok', `event loop has not stalled for ${STALL_QUIET_MS / 60_000} minutes`);
    }

    const share = heapUsedShare();
    if (heapArmed && share >= settings.heapThreshold) {
      heapArmed = false;
      diag.warn(`heap use is at ${(share * 100).toFixed(0)}% of its limit; a heap profile was kept`);
      void track(takeHeap('heap_threshold'));
    } else if (!heapArmed && share < settings.heapThreshold - HEAP_REARM_MARGIN) {
      heapArmed = true;
    }
    if (now - lastHeapAt >= (duty.busy ? settings.windowMs : settings.baselineIntervalMs)) {
      lastHeapAt = now;
      void track(takeHeap(duty.busy ? 'load' : 'baseline'));
    }
  };
  const ticker = setInterval(() => {
    try {
      clock.measure(tick);
    } catch (error) {
      diag.state('profiler.run', 'failed', `profiler step failed: ${(error as Error).message}`);
    }
  }, TICK_MS);
  ticker.unref();

  let onDemand = false;
  return {
    store,
    async captureCpu(seconds, signal) {
      if (stopped) throw new Error('the profiler has stopped');
      if (onDemand) throw new Error('another CPU profile is being recorded; try again when it is done');
      onDemand = true;
      try {
        if (sampler.attached) void cut('on_demand');
        else if (!attach('on_demand')) throw new Error('the CPU profiler could not attach');
        await sleep(seconds * 1000, signal);
        const data = await cut(sampler.attached && !stopped ? (duty.busy ? 'load' : 'baseline') : undefined);
        if (data === undefined) throw new Error('the CPU profile was lost');
        return data;
      } finally {
        onDemand = false;
      }
    },
    async captureHeap() {
      const data = await takeHeap('on_demand');
      if (data === undefined) throw new Error('the heap profiler is not running');
      return data;
    },
    async stop(signal = new AbortController().signal) {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      spanTags.stop();
      stopWatchingStalls();
      load.stop();
      if (sampler.attached) void cut(undefined);
      await Promise.all(pending);
      heapSampler.stop();
      await store?.flush();
      await pusher?.flush(signal);
    },
  };
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
