import type { Server } from 'node:http';
import type { VigilConfig } from '../config/options';
import { instrumentHttpClient } from './http-client';
import { instrumentHttpServer, type TraceIdOf } from './http-server';
import { MetricNames } from './names';
import type { MetricsRegistry } from './registry';
import { registerRuntimeMetrics } from './runtime';
import { SeriesGuard } from './series-guard';

export interface MetricsDeps {
  readonly config: VigilConfig;
  readonly registry: MetricsRegistry;
  readonly ownServer: Server | undefined;
  readonly traceIdOf: TraceIdOf;
}

/** Starts the four golden signals; returns the function that stops them. */
export function startMetrics({ config, registry, ownServer, traceIdOf }: MetricsDeps): () => void {
  const dropped = registry.counter<'metric'>({
    name: MetricNames.seriesDropped,
    help: 'Label sets refused because a metric reached its series cap.',
    labelNames: ['metric'],
  });
  const guard = new SeriesGuard(config.metrics.maxSeriesPerMetric, dropped);
  registerRuntimeMetrics(registry, config.identity);
  const stopServer = instrumentHttpServer({
    registry,
    guard,
    routeTemplates: config.metrics.httpRoutes,
    ignoreServer: (server) => server === ownServer,
    traceIdOf,
  });
  const stopClient = instrumentHttpClient(registry, guard);
  return () => {
    stopServer();
    stopClient();
  };
}
