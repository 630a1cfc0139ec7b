import type { Server } from 'node:http';
import type { VigilConfig } from '../config/options';
import { instrumentHttpClient } from './http-client';
import { instrumentHttpServer, type TraceIdOf } from './http-server';
import { LATENCY_BUCKETS, MetricNames } from './names';
import type { MetricsRegistry } from './registry';
import type { RouteResolver } from './routes';
import { RequestHistogram } from './request-histogram';
import { registerRuntimeMetrics } from './runtime';

export interface MetricsDeps {
  readonly config: VigilConfig;
  readonly registry: MetricsRegistry;
  readonly ownServer: Server | undefined;
  readonly traceIdOf: TraceIdOf;
  readonly routes: RouteResolver;
}

/** Starts the four golden signals; returns the function that stops them. */
export function startMetrics({ config, registry, ownServer, traceIdOf, routes }: MetricsDeps): () => void {
  const dropped = registry.counter<'metric'>({
    name: MetricNames.seriesDropped,
    help: 'Label sets refused because a metric reached its series cap.',
    labelNames: ['metric'],
  });
  const histogram = (name: string, help: string, labelNames: readonly string[]) =>
    registry.add(new RequestHistogram(name, help, labelNames, LATENCY_BUCKETS, config.metrics.maxSeriesPerMetric, dropped));
  registerRuntimeMetrics(registry, config.identity);
  const stopServer = instrumentHttpServer({
    registry,
    histogram,
    routes,
    ignoreServer: (server) => server === ownServer,
    traceIdOf,
  });
  const stopClient = instrumentHttpClient(histogram);
  return () => {
    stopServer();
    stopClient();
  };
}
