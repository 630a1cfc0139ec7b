import diagnostics from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { time } from '@datadog/pprof';
import type { SpanContext } from '@opentelemetry/api';
import { InFlightList, type InFlightEntry } from '../agent/http/in-flight';
import { INVALID_TRACEID, TraceFlags, trace } from '../agent/otel-api';
import type { SampleLabels } from './cpu-sampler';

/** Fires just before a node:http server's request listener runs, after the tracer entered the span. */
const REQUEST_START = 'http.server.request.start';
const RESPONSE_FINISH = 'http.server.response.finish';

/** Tags stay small integers, which V8 stores without allocating; they wrap after a billion requests. */
const MAX_TAG = 0x3fffffff;
/** Bound on the finished requests remembered for one window, for services with a very high concurrency. */
const MAX_FINISHED = 100_000;
/**
 * CPU time in microseconds one tag costs the service, most of it `@datadog/pprof`'s work per call
 * (a context holder with a V8 global handle and a native allocation) and the garbage collector's
 * work on what it leaves, which grows with what the request allocates while its tag lives.
 * Measured on the peer benchmark's traced hello route: about 2 µs on an Intel Xeon machine, 0.5 µs
 * on an AMD EPYC one; on its work route (250 KB allocated per request), about 9 µs (1.4% of the
 * throughput of a bare service tagging every request). The largest, rounded up, so the budget
 * holds on either route.
 */
const TAG_CPU_MICROS = 10;

/** Typed for objects, the sampler keeps any value and hands it back to the label callback as it was. */
const setSampleContext = time.setContext as unknown as (context: number) => void;

/** What tagging needs to know of the CPU sampler. */
export interface TaggingSampler {
  /** Whether samples taken now keep the tag of their async context. */
  readonly tagsSpans: boolean;
  /** Samples taken since the current window began. */
  readonly windowSamples: number;
}

interface TaggedRequest extends InFlightEntry<TaggedRequest> {
  readonly tag: number;
  readonly span: SpanContext;
  /** The sample mark when the request started: a different mark at its finish means it may hold samples. */
  readonly mark: number;
}

const TAGGED = Symbol('vigil.profileTag');
type TaggableResponse = ServerResponse & { [TAGGED]?: TaggedRequest };

interface RequestMessage {
  readonly response: TaggableResponse;
}

export interface SpanTags {
  /** The labels of one sample, for the sampler's label callback: its request's trace and span. */
  readonly labels: SampleLabels;
  /**
   * Sets how many requests to skip between two tags from the rate since the last call, so that tags
   * take no more than what `profilerShare` (the profiler's own CPU as a share of a core) leaves of
   * the budget; call about once a second.
   */
  adjustRate(now: number, profilerShare: number): void;
  /** Forgets what the window that just ended needed; call after the window's labels were made. */
  windowEnded(): void;
  stop(): void;
}

/**
 * Tags the CPU samples of each inbound request with its server span, so a profile can be cut down
 * to one trace. The tracer enters the request's span on the same diagnostics channel, earlier;
 * here a tag goes into V8's per-async-context slot that the sampler reads, so every continuation of
 * the request carries it.
 *
 * The tag is a number, not the ids: the sampler holds each tag from a strong handle for as long as
 * the request's async context lives, and V8 counts what such handles hold as survivors of every
 * young-generation collection, so a string or object per request made V8 double the young
 * generation (on the traced hello route, some 50 MiB more memory). The ids behind a tag are kept
 * only where a sample can need them: for requests in flight, and for finished requests during
 * whose life the sampler took a sample, until the window's labels are made.
 *
 * Only requests whose trace is sampled are tagged: the others' ids lead nowhere. And tags cost CPU
 * with every request rather than every sample, so they are held to what the profiler's own work
 * leaves of `budgetShare` of a core: above the rate that allows, an even share of the requests is
 * tagged (every n-th), and about that share of the samples taken in requests carries their ids.
 */
export function tagRequestSpans(sampler: TaggingSampler, budgetShare: number): SpanTags {
  const inFlight = new InFlightList<TaggedRequest>();
  let finished = new Map<number, SpanContext>();
  let inFlightByTag: Map<number, SpanContext> | undefined;
  let lastTag = 0;
  // A request is looked at when the countdown is at 1; one that cannot be tagged leaves it there.
  let stride = 1;
  let countdown = 1;
  const rate = { since: Date.now(), requests: 0, looked: 0, tagged: 0 };
  // Changes whenever a sample was taken or a window ended since it was last read.
  let mark = 0;
  let seenSamples = 0;
  const currentMark = () => {
    const samples = sampler.windowSamples;
    if (samples !== seenSamples) {
      seenSamples = samples;
      mark++;
    }
    return mark;
  };

  const onRequestStart = (message: unknown) => {
    const { response } = message as RequestMessage;
    // Set on every response, tagged or not: on some only, V8 would see two shapes of response
    // wherever Node.js handles one.
    response[TAGGED] = undefined;
    // Detached (over budget), or sampling without contexts (Node.js before 24): a tag would be
    // thrown away, and while detached setting one throws.
    if (!sampler.tagsSpans) return;
    rate.requests++;
    if (countdown > 1) {
      countdown--;
      return;
    }
    rate.looked++;
    const span = trace.getActiveSpan()?.spanContext();
    // Ids in a context were generated or checked by a propagator; the only invalid ones left are
    // the placeholder of suppressed tracing, and comparing is cheaper than the API's regex check.
    if (span === undefined || span.traceId === INVALID_TRACEID || (span.traceFlags & TraceFlags.SAMPLED) === 0) return;
    lastTag = lastTag === MAX_TAG ? 1 : lastTag + 1;
    try {
      setSampleContext(lastTag);
    } catch {
      // A subscriber's exception would reach the service as an uncaught one; an untagged sample is the lesser loss.
      return;
    }
    countdown = stride;
    rate.tagged++;
    const tagged: TaggedRequest = { response, tag: lastTag, span, mark: currentMark(), previous: undefined, next: undefined };
    response[TAGGED] = tagged;
    inFlight.add(tagged);
  };

  const onResponseFinish = (message: unknown) => {
    const { response } = message as RequestMessage;
    const tagged = response[TAGGED];
    if (tagged === undefined) return;
    response[TAGGED] = undefined;
    inFlight.remove(tagged);
    if (currentMark() !== tagged.mark && finished.size < MAX_FINISHED) finished.set(tagged.tag, tagged.span);
  };

  diagnostics.subscribe(REQUEST_START, onRequestStart);
  diagnostics.subscribe(RESPONSE_FINISH, onResponseFinish);

  return {
    labels: ({ context }): Record<string, string> => {
      const tag = context?.context;
      if (typeof tag !== 'number') return {};
      let span = finished.get(tag);
      if (span === undefined) {
        inFlightByTag ??= new Map(inFlight.entries().map((tagged) => [tagged.tag, tagged.span]));
        span = inFlightByTag.get(tag);
      }
      return span === undefined ? {} : { trace_id: span.traceId, span_id: span.spanId };
    },
    adjustRate(now, profilerShare) {
      // In whole microseconds: divided by 10e-6 seconds, a budget of 0.01 gives 999.999..., and 3 000
      // requests a second would get a stride of 4 instead of 3.
      const maxTagsPerSecond = (Math.max(0, budgetShare - profilerShare) * 1_000_000) / TAG_CPU_MICROS;
      stride = tagStride({ ...rate, seconds: (now - rate.since) / 1000 }, maxTagsPerSecond);
      countdown = Math.min(countdown, stride);
      Object.assign(rate, { since: now, requests: 0, looked: 0, tagged: 0 });
    },
    windowEnded() {
      finished = new Map();
      inFlightByTag = undefined;
      mark++;
      // Requests the client abandoned never finish.
      for (const tagged of inFlight.aborted()) {
        (tagged.response as TaggableResponse)[TAGGED] = undefined;
        inFlight.remove(tagged);
      }
    },
    stop() {
      diagnostics.unsubscribe(REQUEST_START, onRequestStart);
      diagnostics.unsubscribe(RESPONSE_FINISH, onResponseFinish);
    },
  };
}

/** What the tagging saw over a stretch of time. */
export interface TagRate {
  readonly seconds: number;
  /** Requests that started. */
  readonly requests: number;
  /** Of those, the ones looked at for a tag (the others were skipped by the stride). */
  readonly looked: number;
  /** Of those, the ones tagged: the rest had no sampled trace. */
  readonly tagged: number;
}

/** Tag every n-th request, with n set so that the requests tagged stay within `maxPerSecond`. */
export function tagStride(rate: TagRate, maxPerSecond: number): number {
  if (!(maxPerSecond > 0)) return Infinity;
  if (!(rate.seconds > 0) || rate.requests === 0) return 1;
  // Requests with a sampled trace, estimated from the share among those looked at; a stride that
  // skipped every request leaves nothing to estimate from, and all of them are counted.
  const taggableShare = rate.looked === 0 ? 1 : rate.tagged / rate.looked;
  return Math.max(1, Math.ceil((rate.requests * taggableShare) / rate.seconds / maxPerSecond));
}
