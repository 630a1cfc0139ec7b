import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Server } from 'node:http';
import type { VigilConfig } from '../config/options';
import type { Diag } from '../diag';
import type { TraceIdOf } from '../metrics/http-server';
import type { MetricsRegistry } from '../metrics/registry';
import { BoundedBatchProcessor, DEFAULT_BATCH_LIMITS } from './batch-processor';
import { createExporter } from './exporters';
import { traceHttpClients } from './http-client-spans';
import { traceHttpServers } from './http-server-spans';
import { HttpSpanStarter, SPAN_LIMITS } from './http-span';
import { PooledIdGenerator } from './id-generator';
import { createInstrumentations, loadedTooEarly } from './instrumentations';
import { SpanMetricNames } from './names';
import { createResource } from './resource';
import { createSampler } from './sampler';
import { TrafficHeaderPropagator, TrafficSpanProcessor } from './traffic';

export interface TracingDeps {
  readonly config: VigilConfig;
  readonly diag: Diag;
  readonly registry: MetricsRegistry;
  /** The agent's own metrics server, whose scrapes are not traced. */
  readonly ownServer: Server | undefined;
}

export interface Tracing {
  /** The trace id of a request's sampled server span, for the latency histogram's exemplars. */
  readonly traceIdOf: TraceIdOf;
  /** Exports the spans still queued within `signal`'s budget, then stops tracing. */
  close(signal: AbortSignal): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK: resource, sampler, propagators (W3C trace context and baggage,
 * Jaeger's uber-trace-id, the traffic header), instrumentations and the chosen exporter.
 * OTEL_TRACES_EXPORTER=none turns tracing off altogether.
 */
export function startTracing({ config, diag, registry, ownServer }: TracingDeps): Tracing {
  const { exporter } = config.traces;
  if (exporter === 'none') {
    diag.info('tracing: off (OTEL_TRACES_EXPORTER=none)');
    return { traceIdOf: () => undefined, close: async () => {} };
  }
  const exported = registry.counter({ name: SpanMetricNames.spansExported, help: 'Spans acknowledged by the trace backend.' });
  const dropped = registry.counter<'reason'>({ name: SpanMetricNames.spansDropped, help: 'Spans lost before reaching the trace backend.', labelNames: ['reason'] });

  const { exporter: spanExporter, destination } = createExporter({ ...config.traces, exporter });
  const batch = new BoundedBatchProcessor(spanExporter, {
    exported: (count) => exported.inc(count),
    dropped: (count, reason) => dropped.inc({ reason }, count),
    health: (error) =>
      error === undefined
        ? diag.state('tracing.export', 'ok', `tracing: span export to ${destination} works again`)
        : diag.state('tracing.export', 'failing', `tracing: span export to ${destination} fails (${error.message}); spans are dropped and counted in ${SpanMetricNames.spansDropped} until it answers`),
  }, { ...DEFAULT_BATCH_LIMITS, scheduledDelayMs: config.traces.exportDelayMs });

  const sdkOptions = {
    resource: createResource(config.identity),
    sampler: createSampler(config.traces.sampler, config.traces.samplerArg),
    idGenerator: new PooledIdGenerator(),
    spanLimits: SPAN_LIMITS,
  };
  const processors = [new TrafficSpanProcessor(), batch];
  const provider = new NodeTracerProvider({ ...sdkOptions, spanProcessors: processors });
  const httpSpans = new HttpSpanStarter({ ...sdkOptions, scope: { name: 'vigil' }, processors });
  const contextManager = new AsyncLocalStorageContextManager();
  provider.register({
    contextManager,
    propagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new JaegerPropagator(), new TrafficHeaderPropagator()],
    }),
  });

  const { names, instrumentations } = createInstrumentations(config.traces.disabledInstrumentations);
  const unregister = registerInstrumentations({ instrumentations: [...instrumentations], tracerProvider: provider });
  const serverSpans = names.includes('http')
    ? traceHttpServers({
        spans: httpSpans,
        enter: (active) => contextManager.attach(active),
        ignoreServer: (server) => server === ownServer,
      })
    : undefined;
  const stopClientSpans = names.includes('http') ? traceHttpClients(httpSpans) : undefined;

  diag.info(`tracing: instrumented ${names.join(', ') || 'nothing'}; spans go to ${destination}; sampler ${config.traces.sampler} ${config.traces.samplerArg}`);
  const early = loadedTooEarly(names, Object.keys(require.cache));
  if (early.length > 0) {
    diag.warn(
      `tracing: ${early.join(', ')} loaded before the agent started, so calls through it are not traced; ` +
        'preload the agent (node --import vigil/register, or --require for CommonJS) or call init() before loading it',
    );
  }

  return {
    traceIdOf: (request) => serverSpans?.traceIdOf(request),
    async close(signal) {
      serverSpans?.stop();
      stopClientSpans?.();
      unregister();
      await batch.shutdown(signal);
      await provider.shutdown().catch(() => undefined);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
