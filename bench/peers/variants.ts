/**
 * The agents compared, each started as its users would start it (a preload flag and environment
 * variables) around the same service script, and each pointed at the receiver it would use here.
 */
import { startNodeService, type RunningService, type Variant } from '../support/harness';
import { freePort } from '../support/ports';

export interface Receivers {
  /** Comma list of the local Kafka's brokers. */
  readonly kafkaBrokers: string;
  /** The discarding sink for what has no local receiver. */
  readonly sinkUrl: string;
  readonly sinkStatsdPort: number;
}

export interface Workload {
  readonly script: string;
  readonly path: string;
  readonly env: Record<string, string>;
}

/** Prometheus's scrape interval in the stack: the metrics endpoint is read while the load runs. */
const SCRAPE_INTERVAL_MS = 3_000;

async function withScraper(service: RunningService, metricsUrl: string): Promise<RunningService> {
  const timer = setInterval(() => {
    fetch(metricsUrl).then(
      (response) => response.arrayBuffer(),
      (error: Error) => process.stderr.write(`bench: scrape of ${metricsUrl} failed: ${error.message}\n`),
    );
  }, SCRAPE_INTERVAL_MS);
  return {
    url: service.url,
    pid: service.pid,
    async stop() {
      clearInterval(timer);
      await service.stop();
    },
  };
}

function vigil(workload: Workload, receivers: Receivers, samplingRatio: string): Variant {
  return {
    name: `Vigil, everything on, tracing ${Number(samplingRatio) * 100}%`,
    async start() {
      const metricsPort = await freePort();
      const service = await startNodeService(workload.script, {
        path: workload.path,
        nodeArgs: ['--require', 'vigil/register'],
        env: {
          ...workload.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: receivers.sinkUrl,
          OTEL_TRACES_SAMPLER_ARG: samplingRatio,
          VIGIL_KAFKA_BROKERS: receivers.kafkaBrokers,
          VIGIL_LOG_TOPIC: 'bench-peers-logs',
          VIGIL_PROFILER: 'on',
          VIGIL_METRICS_HOST: '127.0.0.1',
          VIGIL_METRICS_PORT: String(metricsPort),
        },
      });
      return withScraper(service, `http://127.0.0.1:${metricsPort}/metrics`);
    },
  };
}

export function peerVariants(workload: Workload, receivers: Receivers): Variant[] {
  const { script, path, env } = workload;
  return [
    { name: 'bare', start: () => startNodeService(script, { path, env }) },
    vigil(workload, receivers, '1'),
    vigil(workload, receivers, '0.1'),
    {
      name: 'OpenTelemetry zero-code (traces + metrics)',
      start: () =>
        startNodeService(script, {
          path,
          nodeArgs: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
          env: {
            ...env,
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_METRICS_EXPORTER: 'otlp',
            OTEL_LOGS_EXPORTER: 'none',
            // The cloud detectors would query metadata addresses off this machine.
            OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
            OTEL_EXPORTER_OTLP_ENDPOINT: receivers.sinkUrl,
          },
        }),
    },
    {
      name: 'dd-trace (tracing, runtime metrics, log injection, profiling)',
      start: () =>
        startNodeService(script, {
          path,
          nodeArgs: ['--require', 'dd-trace/init'],
          env: {
            ...env,
            DD_SERVICE: 'bench',
            DD_TRACE_AGENT_URL: receivers.sinkUrl,
            DD_DOGSTATSD_HOST: '127.0.0.1',
            DD_DOGSTATSD_PORT: String(receivers.sinkStatsdPort),
            DD_RUNTIME_METRICS_ENABLED: 'true',
            DD_LOGS_INJECTION: 'true',
            DD_PROFILING_ENABLED: 'true',
            // Remote configuration is a control channel, not a signal, and the sink has none to give.
            DD_REMOTE_CONFIGURATION_ENABLED: 'false',
          },
        }),
    },
    {
      name: 'elastic-apm-node (defaults)',
      start: () =>
        startNodeService(script, {
          path,
          nodeArgs: ['--require', 'elastic-apm-node/start'],
          // Its cloud metadata lookup would query addresses off this machine.
          env: { ...env, ELASTIC_APM_SERVICE_NAME: 'bench', ELASTIC_APM_SERVER_URL: receivers.sinkUrl, ELASTIC_APM_CLOUD_PROVIDER: 'none' },
        }),
    },
  ];
}
