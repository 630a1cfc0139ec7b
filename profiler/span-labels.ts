import diagnostics from 'node:diagnostics_channel';
import { time } from '@datadog/pprof';
import { INVALID_TRACEID, trace } from '@opentelemetry/api';

/** Fires just before a node:http server's request listener runs, after the tracer entered the span. */
const REQUEST_START = 'http.server.request.start';

const TRACE_ID_DIGITS = 32;
const SPAN_ID_DIGITS = 16;

/** Typed for objects, the sampler keeps any value and hands it back to the label callback as it was. */
const setSampleContext = time.setContext as unknown as (context: string) => void;

/**
 * Tags the CPU samples of each inbound request with its server span, so a profile can be cut down
 * to one trace. The tracer enters the request's span on the same diagnostics channel, earlier;
 * here the ids go into V8's per-async-context slot that the sampler reads, so every continuation of
 * the request carries them. Without tracing there is no span, and samples stay untagged.
 *
 * The sampler keeps each request's tag alive as long as the request's async context, well past the
 * request itself, so the tag is one flat string of both ids: tagged with an object (or a
 * concatenation, which points at its two halves) the traced hello route of the benchmark's service
 * used some 55 MiB more memory and 0.5-1 µs more CPU per request than with a flat string.
 */
export function tagRequestSpans(samplerTagsSpans: () => boolean): () => void {
  const onRequestStart = () => {
    // Detached (over budget), or sampling without contexts (Node.js before 24): a tag would be
    // thrown away, at some 90 ns a request, and while detached setting one throws.
    if (!samplerTagsSpans()) return;
    const span = trace.getActiveSpan()?.spanContext();
    // Ids in a context were generated or checked by a propagator; the only invalid ones left are
    // the placeholder of suppressed tracing, and comparing is cheaper than the API's regex check.
    if (span === undefined || span.traceId === INVALID_TRACEID) return;
    try {
      // join() builds a flat string where `+` would build a concatenation.
      setSampleContext([span.traceId, span.spanId].join(''));
    } catch {
      // A subscriber's exception would reach the service as an uncaught one; an untagged sample is the lesser loss.
    }
  };
  diagnostics.subscribe(REQUEST_START, onRequestStart);
  return () => diagnostics.unsubscribe(REQUEST_START, onRequestStart);
}

/** The labels of one sample: its request's trace and span, when it had one. */
export function spanLabels({ context }: { context?: { context?: unknown } }): Record<string, string> {
  const ids = context?.context;
  if (typeof ids !== 'string' || ids.length !== TRACE_ID_DIGITS + SPAN_ID_DIGITS) return {};
  return { trace_id: ids.slice(0, TRACE_ID_DIGITS), span_id: ids.slice(TRACE_ID_DIGITS) };
}
