import { join } from 'node:path';
import { httpOk } from '../native/health';
import { repositoryRoot } from '../native/paths';
import type { LaunchSpec } from '../native/service';

/** Where the stack's services answer, as `vigil-stack status` reports them. */
export interface StackEndpoints {
  readonly kafkaBrokers: string;
  readonly elasticsearchUrl: string;
  readonly elasticsearchUsername: string;
  readonly elasticsearchPassword: string;
  readonly jaegerOtlpUrl: string;
}

/** The ports the collector and the demo listen on. */
export interface AppPorts {
  readonly demo: number;
  readonly demoMetrics: number;
  readonly collectorMetrics: number;
}

/** A process of ours that runs on top of the stack: the collector, the demo, its load. */
export interface AppDefinition {
  readonly name: 'collector' | 'demo' | 'load';
  launch(stack: StackEndpoints, ports: AppPorts, dir: string): LaunchSpec;
  /** Resolves true once the process serves what it is for; never throws. */
  healthy(ports: AppPorts): Promise<boolean>;
  endpoints(ports: AppPorts, dir: string): Record<string, string>;
}

const dist = (...parts: string[]) => join(repositoryRoot, 'dist', ...parts);

export const collector: AppDefinition = {
  name: 'collector',
  launch: (stack, ports) => ({
    command: process.execPath,
    args: [dist('collectors', 'logs', 'cli.js')],
    env: {
      VIGIL_KAFKA_BROKERS: stack.kafkaBrokers,
      VIGIL_ELASTICSEARCH_URL: stack.elasticsearchUrl,
      VIGIL_ELASTICSEARCH_USERNAME: stack.elasticsearchUsername,
      VIGIL_ELASTICSEARCH_PASSWORD: stack.elasticsearchPassword,
      VIGIL_COLLECTOR_METRICS_HOST: '127.0.0.1',
      VIGIL_COLLECTOR_METRICS_PORT: String(ports.collectorMetrics),
    },
  }),
  healthy: (ports) => httpOk(`http://127.0.0.1:${ports.collectorMetrics}/metrics`),
  endpoints: (ports) => ({ metrics: `http://127.0.0.1:${ports.collectorMetrics}/metrics` }),
};

/** The demo under the agent, preloaded as a user would (`node --import vigil/register`), logging each request. */
export const demo: AppDefinition = {
  name: 'demo',
  launch: (stack, ports, dir) => ({
    command: process.execPath,
    args: ['--import', 'vigil/register', '--import', dist('deploy', 'local', 'request-log.js'), dist('examples', 'demo', 'server.js')],
    env: {
      PORT: String(ports.demo),
      OTEL_SERVICE_NAME: 'demo',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=local',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.jaegerOtlpUrl,
      VIGIL_TIER: '2',
      VIGIL_METRICS_HOST: '127.0.0.1',
      VIGIL_METRICS_PORT: String(ports.demoMetrics),
      VIGIL_KAFKA_BROKERS: stack.kafkaBrokers,
      VIGIL_PROFILE_DIR: join(dir, 'profiles'),
    },
  }),
  healthy: async (ports) => (await httpOk(`http://127.0.0.1:${ports.demo}/fast`)) && httpOk(`http://127.0.0.1:${ports.demoMetrics}/metrics`),
  endpoints: (ports, dir) => ({
    url: `http://127.0.0.1:${ports.demo}`,
    metrics: `http://127.0.0.1:${ports.demoMetrics}/metrics`,
    profiles: join(dir, 'profiles'),
  }),
};

export const load: AppDefinition = {
  name: 'load',
  launch: (_stack, ports) => ({
    command: process.execPath,
    args: [dist('examples', 'demo', 'load.js')],
    env: { TARGET: `http://127.0.0.1:${ports.demo}`, DURATION_S: '0', CONCURRENCY: '2', RATE: '10' },
  }),
  // Load serves nothing; it is healthy while it runs.
  healthy: async () => true,
  endpoints: () => ({}),
};
