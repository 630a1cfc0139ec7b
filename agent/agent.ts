import type { VigilConfig } from './config/options';
import { startCrashCapture } from './crash';
import { createDiag } from './diag';
import { ShutdownCoordinator, ShutdownStage } from './lifecycle/shutdown';
import { runOnTerminationSignals } from './lifecycle/signals';
import { holdNextTickShape } from './lifecycle/tick-shape';
import { startLogging, type Logger } from './logging';
import { startMetrics } from './metrics';
import { MetricsRegistry } from './metrics/registry';
import { RouteResolver } from './metrics/routes';
import { MetricsServer } from './metrics/server';
import { startTracing } from './tracing';
import { startAgentProfiler } from '../profiler/agent';

/** What init() returns: the one handle on everything the agent started. */
export interface VigilHandle {
  /** The validated configuration the agent runs with. */
  readonly config: VigilConfig;
  /** The service's root logger: ECS records with trace ids, shipped to Kafka (or stdout without brokers). */
  readonly logger: Logger;
  /** The port the metrics server listens on once it does; undefined when it is off or could not listen. */
  metricsPort(): Promise<number | undefined>;
  /** Flushes every signal within the shutdown budget and stops everything the agent started. */
  shutdown(): Promise<void>;
}

/** Starts every component for `config` and wires their flushes into one shutdown. */
export function startAgent(config: VigilConfig, onShutdown: () => void): VigilHandle {
  const releaseNextTickShape = holdNextTickShape();
  const diag = createDiag();
  const coordinator = new ShutdownCoordinator(config.shutdown.timeoutMs, diag);
  const registry = new MetricsRegistry(config.identity);
  const server = config.metrics.port === 0 ? undefined : new MetricsServer(registry, config.metrics.host, config.metrics.port, diag);

  // Tracing starts first: its outbound hooks must add the baggage before metrics read the traffic colour.
  const tracing = startTracing({ config, diag, registry, ownServer: server?.server });
  coordinator.register({ name: 'spans', stage: ShutdownStage.spans, close: (signal) => tracing.close(signal) });

  const logging = startLogging(config, diag, registry);
  coordinator.register({ name: 'logs', stage: ShutdownStage.logs, close: (signal) => logging.close(signal) });

  // One resolver for metrics and crash capture, so Fastify's handler channel has one subscriber of ours.
  const routes = new RouteResolver(config.metrics.httpRoutes);
  const stopMetrics = startMetrics({ config, registry, ownServer: server?.server, traceIdOf: tracing.traceIdOf, routes });
  coordinator.register({
    name: 'metrics',
    stage: ShutdownStage.servers,
    async close() {
      stopMetrics();
      routes.close();
      await server?.close();
      registry.clear();
    },
  });

  // Without a DSN this returns undefined and @sentry/node is never loaded.
  const crashes = startCrashCapture({ config, diag, registry, logger: logging.logger, ownServer: server?.server, traceIdOf: tracing.traceIdOf, routes, flushAll: () => handle.shutdown() });
  if (crashes !== undefined) coordinator.register({ name: 'crashes', stage: ShutdownStage.crashes, close: (signal) => crashes.close(signal) });

  const profiler = startAgentProfiler(config, diag, registry, server);
  if (profiler !== undefined) coordinator.register(profiler);

  const removeSignalHandlers = config.shutdown.handleSignals ? runOnTerminationSignals(() => handle.shutdown()) : () => {};
  let stopped: Promise<void> | undefined;
  const handle: VigilHandle = Object.freeze({
    config,
    logger: logging.logger,
    metricsPort: async () => server?.port(),
    shutdown() {
      stopped ??= (async () => {
        removeSignalHandlers();
        await coordinator.run();
        releaseNextTickShape();
        onShutdown();
      })();
      return stopped;
    },
  });
  return handle;
}
