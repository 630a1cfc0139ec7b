import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICES, serviceNamed } from './catalogue';
import { checkPrerequisites } from './prerequisites';
import { groupHasLivingMember, processStartTime } from './proc';
import { startDetached, stopGroup } from './process-group';
import type { PortSpec, ServiceContext, ServiceDefinition, ServiceName } from './service';
import { readState, writeState, type ServiceState } from './state';

export type ServiceCondition = 'running' | 'unhealthy' | 'stopped' | 'crashed';

export interface ServiceStatus {
  readonly name: ServiceName;
  readonly version: string;
  readonly condition: ServiceCondition;
  readonly pid?: number;
  readonly endpoints: Record<string, string>;
}

export interface StackOptions {
  /** Parent of the services' own directories. */
  readonly dir: string;
  /**
   * Chooses the ports of a service's first start (tests pick free ones); when absent or undefined,
   * the service's environment variables, then its defaults, decide.
   */
  readonly choosePort?: (service: ServiceName, role: string) => Promise<number | undefined>;
  /** Receives one line per state change. */
  readonly log?: (line: string) => void;
  /** How long a service may take to become healthy. */
  readonly startTimeoutMs?: number;
}

function configuredPort({ env, defaultPort }: PortSpec): number {
  const fromEnv = process.env[env];
  if (fromEnv === undefined || fromEnv === '') return defaultPort;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${env}=${fromEnv} is not a port (1-65535)`);
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The natively started services under one directory: install, start, check and stop them. */
export class Stack {
  private readonly log: (line: string) => void;

  constructor(private readonly options: StackOptions) {
    this.log = options.log ?? (() => undefined);
  }

  serviceDir(name: ServiceName): string {
    return join(this.options.dir, name);
  }

  /** Downloads or builds what `names` need, in parallel; a warm cache makes this instant. */
  async install(names: readonly ServiceName[]): Promise<void> {
    const services = names.map(serviceNamed);
    checkPrerequisites(services);
    await Promise.all(services.map((service) => service.install(this.log)));
  }

  /**
   * Starts each of `names` that is not running and healthy (a crashed one is restarted on its
   * data), then waits until all are healthy. Running services are left alone.
   */
  async up(names: readonly ServiceName[] = SERVICES.map((service) => service.name)): Promise<ServiceStatus[]> {
    await this.install(names);
    // In catalogue order, so a service's configuration can point at one started before it.
    const ordered = SERVICES.filter((service) => names.includes(service.name));
    const readiness: Promise<Error | undefined>[] = [];
    for (const service of ordered) {
      const { ready } = await this.start(service);
      readiness.push(ready.then(() => undefined, (error: Error) => error));
    }
    const failures = (await Promise.all(readiness)).filter((failure) => failure !== undefined);
    if (failures.length > 0) throw new Error(failures.map((failure) => failure.message).join('; '));
    return this.status(names);
  }

  /** Stops `names` (all by default), keeping their data; `purge` also deletes their directories. */
  async down(names: readonly ServiceName[] = SERVICES.map((service) => service.name), purge = false): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const dir = this.serviceDir(name);
        const state = readState(dir);
        if (state?.pid !== undefined) {
          if (groupHasLivingMember(state.pid)) {
            await stopGroup(state.pid);
            this.log(`${name} stopped`);
          }
          await writeState(dir, { ...state, pid: undefined, pidStartTime: undefined });
        }
        if (purge) await rm(dir, { recursive: true, force: true });
      }),
    );
  }

  async status(names: readonly ServiceName[] = SERVICES.map((service) => service.name)): Promise<ServiceStatus[]> {
    return Promise.all(
      names.map(async (name) => {
        const service = serviceNamed(name);
        const state = readState(this.serviceDir(name));
        if (!state) return { name, version: service.version, condition: 'stopped' as const, endpoints: {} };
        const context = this.context(service, state);
        const condition: ServiceCondition =
          state.pid === undefined ? 'stopped' : !this.leaderAlive(state) ? 'crashed' : (await service.healthy(context)) ? 'running' : 'unhealthy';
        return { name, version: state.version, condition, pid: state.pid, endpoints: service.endpoints(context) };
      }),
    );
  }

  /** Starts `service` unless it already runs; `ready` settles once it is healthy. */
  private async start(service: ServiceDefinition): Promise<{ ready: Promise<void> }> {
    const dir = this.serviceDir(service.name);
    let state = readState(dir);
    if (state?.pid !== undefined) {
      if (this.leaderAlive(state)) return { ready: this.waitHealthy(service, state, false) };
      this.log(`${service.name} is not running any more (pid ${state.pid}); restarting it on its data`);
      // A leader that died may leave children (the Elasticsearch JVM) holding its ports.
      await stopGroup(state.pid, 5_000);
    }
    if (!state) {
      const ports = await this.resolvePorts(service);
      state = { version: service.version, ports, secrets: {} };
      // A half-prepared directory (interrupted format) is started over rather than trusted.
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const secrets = await service.prepare(this.context(service, state));
      state = { ...state, secrets };
      await writeState(dir, state);
    }
    const pid = startDetached(service.launch(this.context(service, state)), join(dir, 'service.log'), dir);
    state = { ...state, pid, pidStartTime: processStartTime(pid) };
    await writeState(dir, state);
    return { ready: this.waitHealthy(service, state, true) };
  }

  /** Waits until `service` is healthy; `announce` says so on the log, for a service just started. */
  private async waitHealthy(service: ServiceDefinition, state: ServiceState, announce: boolean): Promise<void> {
    const started = Date.now();
    const deadline = started + (this.options.startTimeoutMs ?? 180_000);
    const context = this.context(service, state);
    const log = join(this.serviceDir(service.name), 'service.log');
    while (!(await service.healthy(context))) {
      if (state.pid === undefined || !groupHasLivingMember(state.pid)) throw new Error(`${service.name} exited while starting; see ${log}`);
      if (Date.now() > deadline) throw new Error(`${service.name} did not become healthy within ${Date.now() - started} ms; see ${log}`);
      await sleep(250);
    }
    if (!announce) return;
    const where = Object.entries(service.endpoints(context)).filter(([key]) => key !== 'password').map(([, value]) => value).join(' ');
    this.log(`${service.name} ${service.version} started, healthy after ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${state.pid}) ${where}`);
  }

  private leaderAlive(state: ServiceState): boolean {
    return state.pid !== undefined && processStartTime(state.pid) === state.pidStartTime;
  }

  private async resolvePorts(service: ServiceDefinition): Promise<Record<string, number>> {
    const ports: Record<string, number> = {};
    for (const spec of service.ports) ports[spec.role] = (await this.options.choosePort?.(service.name, spec.role)) ?? configuredPort(spec);
    return ports;
  }

  private context(service: ServiceDefinition, state: ServiceState): ServiceContext {
    return {
      dir: this.serviceDir(service.name),
      ports: state.ports,
      secrets: state.secrets,
      portOf: (name, role) => readState(this.serviceDir(name))?.ports[role],
    };
  }
}
