import diagnostics from 'node:diagnostics_channel';
import { time } from '@datadog/pprof';
import { isSpanContextValid, trace } from '@opentelemetry/api';

/** Fires just before a node:http server's request listener runs, after the tracer entered the span. */
const REQUEST_START = 'http.server.request.start';

interface SpanIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * Tags the CPU samples of each inbound request with its server span, so a profile can be cut down
 * to one trace. The tracer enters the request's span on the same diagnostics channel, earlier;
 * here the ids go into V8's per-async-context slot that the sampler reads, so every continuation of
 * the request carries them. Without tracing there is no span, and samples stay untagged.
 */
export function tagRequestSpans(samplerAttached: () => boolean): () => void {
  const onRequestStart = () => {
    // While detached (over budget, or between windows) there is nothing to tag; asking would throw.
    if (!samplerAttached()) return;
    const span = trace.getActiveSpan()?.spanContext();
    if (span === undefined || !isSpanContextValid(span)) return;
    try {
      time.setContext({ traceId: span.traceId, spanId: span.spanId } satisfies SpanIds);
    } catch {
      // Sampling without contexts (Node.js before 24): nothing to tag.
    }
  };
  diagnostics.subscribe(REQUEST_START, onRequestStart);
  return () => diagnostics.unsubscribe(REQUEST_START, onRequestStart);
}

/** The labels of one sample: its request's trace and span, when it had one. */
export function spanLabels({ context }: { context?: { context?: unknown } }): Record<string, string> {
  const ids = context?.context as Partial<SpanIds> | undefined;
  return typeof ids?.traceId === 'string' && typeof ids.spanId === 'string' ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
