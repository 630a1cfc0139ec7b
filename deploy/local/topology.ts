import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_NAMES, Stack, type ServiceName, type ServiceStatus } from '../native';
import { repositoryRoot } from '../native/paths';
import { groupHasLivingMember, processStartTime } from '../native/proc';
import { startDetached, stopGroup } from '../native/process-group';
import { collector, demo, load, type AppDefinition, type AppPorts, type StackEndpoints } from './apps';

export type AppName = AppDefinition['name'];
export const APP_NAMES: readonly AppName[] = ['collector', 'demo', 'load'];
const APPS: Readonly<Record<AppName, AppDefinition>> = { collector, demo, load };

export interface AppStatus {
  readonly name: AppName;
  readonly condition: 'running' | 'unhealthy' | 'stopped';
  readonly pid?: number;
  readonly endpoints: Record<string, string>;
}

export interface TopologyOptions {
  /** Parent of every service's and app's own directory. */
  readonly dir: string;
  readonly log: (line: string) => void;
  /** How long the collector and the demo may take to answer after they start. */
  readonly startTimeoutMs?: number;
}

interface AppState {
  readonly pid: number;
  readonly pidStartTime: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function portFromEnv(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable}=${raw} is not a port (1-65535)`);
  return port;
}

/**
 * The whole local topology without Docker: the native stack's services, and on top of them the
 * log collector, the demo service under the agent and its load generator, each a detached process
 * group under `dir` like the services, so `down` stops what an earlier `up` started.
 */
export class LocalTopology {
  readonly stack: Stack;

  constructor(private readonly options: TopologyOptions) {
    this.stack = new Stack({ dir: options.dir, log: options.log });
  }

  /** Fixed at the first `up` (from VIGIL_DEMO_PORT, VIGIL_DEMO_METRICS_PORT, VIGIL_COLLECTOR_METRICS_PORT) and kept. */
  private ports(): AppPorts {
    const file = join(this.options.dir, 'apps.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as AppPorts;
    return {
      demo: portFromEnv('VIGIL_DEMO_PORT', 8080),
      demoMetrics: portFromEnv('VIGIL_DEMO_METRICS_PORT', 9464),
      collectorMetrics: portFromEnv('VIGIL_COLLECTOR_METRICS_PORT', 9465),
    };
  }

  private appDir(name: AppName): string {
    return join(this.options.dir, name);
  }

  async up(services: readonly ServiceName[], apps: readonly AppName[]): Promise<void> {
    const ports = this.ports();
    await mkdir(this.options.dir, { recursive: true });
    await writeFile(join(this.options.dir, 'apps.json'), `${JSON.stringify(ports)}\n`);
    // Read by the Prometheus service when it first writes its configuration.
    process.env.VIGIL_PROMETHEUS_TARGETS ??= `127.0.0.1:${ports.demoMetrics},127.0.0.1:${ports.collectorMetrics}`;
    process.env.VIGIL_PROMETHEUS_RULES ??= ['rules.yaml', 'alerts.yaml'].map((file) => join(repositoryRoot, 'dashboards', 'build', 'prometheus', file)).join(',');
    // The apps need Kafka, Elasticsearch and Jaeger whatever else was named.
    const needed = apps.length > 0 ? [...new Set<ServiceName>([...services, 'kafka', 'elasticsearch', 'jaeger'])] : services;
    const statuses = await this.stack.up(needed);
    const endpoints = stackEndpoints(statuses);
    for (const name of APP_NAMES.filter((app) => apps.includes(app))) await this.startApp(APPS[name], endpoints, ports);
  }

  async down(services: readonly ServiceName[], apps: readonly AppName[], purge: boolean): Promise<void> {
    // The load first, the collector last, so it drains what the demo logged.
    for (const name of [...APP_NAMES].reverse().filter((app) => apps.includes(app))) {
      const state = this.readAppState(name);
      if (state !== undefined && groupHasLivingMember(state.pid)) {
        await stopGroup(state.pid);
        this.options.log(`${name} stopped`);
      }
      if (purge) await rm(this.appDir(name), { recursive: true, force: true });
      else if (state !== undefined) await rm(join(this.appDir(name), 'state.json'), { force: true });
    }
    await this.stack.down(services, purge);
    if (purge && services.length === SERVICE_NAMES.length && apps.length === APP_NAMES.length) {
      await rm(join(this.options.dir, 'apps.json'), { force: true });
    }
  }

  async appStatus(names: readonly AppName[]): Promise<AppStatus[]> {
    const ports = this.ports();
    return Promise.all(
      names.map(async (name) => {
        const app = APPS[name];
        const endpoints = app.endpoints(ports, this.appDir(name));
        const state = this.readAppState(name);
        if (state === undefined || !this.alive(state)) return { name, condition: 'stopped' as const, endpoints };
        return { name, condition: (await app.healthy(ports)) ? ('running' as const) : ('unhealthy' as const), pid: state.pid, endpoints };
      }),
    );
  }

  private async startApp(app: AppDefinition, endpoints: StackEndpoints, ports: AppPorts): Promise<void> {
    const dir = this.appDir(app.name);
    const running = this.readAppState(app.name);
    if (running === undefined || !this.alive(running)) {
      await mkdir(dir, { recursive: true });
      const pid = startDetached(app.launch(endpoints, ports, dir), join(dir, 'service.log'), repositoryRoot);
      const state: AppState = { pid, pidStartTime: processStartTime(pid) };
      await writeFile(join(dir, 'state.json'), `${JSON.stringify(state)}\n`);
    }
    const state = this.readAppState(app.name) as AppState;
    const started = Date.now();
    const deadline = started + (this.options.startTimeoutMs ?? 60_000);
    while (!(await app.healthy(ports))) {
      if (!this.alive(state)) throw new Error(`${app.name} exited while starting; see ${join(dir, 'service.log')}`);
      if (Date.now() > deadline) throw new Error(`${app.name} did not answer within ${Date.now() - started} ms; see ${join(dir, 'service.log')}`);
      await sleep(250);
    }
    const where = Object.values(app.endpoints(ports, dir)).join(' ');
    this.options.log(`${app.name} ${running === undefined || !this.alive(running) ? 'started' : 'already running'} (pid ${state.pid}) ${where}`);
  }

  private readAppState(name: AppName): AppState | undefined {
    const file = join(this.appDir(name), 'state.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AppState) : undefined;
  }

  private alive(state: AppState): boolean {
    return processStartTime(state.pid) === state.pidStartTime;
  }
}

function stackEndpoints(statuses: readonly ServiceStatus[]): StackEndpoints {
  const of = (name: ServiceName) => statuses.find((status) => status.name === name)?.endpoints ?? {};
  const required = (value: string | undefined, what: string): string => {
    if (value === undefined || value === '') throw new Error(`the stack reported no ${what}`);
    return value;
  };
  return {
    kafkaBrokers: required(of('kafka').brokers, 'Kafka brokers'),
    elasticsearchUrl: required(of('elasticsearch').url, 'Elasticsearch URL'),
    elasticsearchUsername: required(of('elasticsearch').username, 'Elasticsearch user'),
    elasticsearchPassword: required(of('elasticsearch').password, 'Elasticsearch password'),
    jaegerOtlpUrl: required(of('jaeger').otlpHttpUrl, 'Jaeger OTLP endpoint'),
  };
}
