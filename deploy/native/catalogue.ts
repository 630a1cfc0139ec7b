import type { ServiceDefinition, ServiceName } from './service';
import { alertmanager } from './services/alertmanager';
import { elasticsearch } from './services/elasticsearch';
import { jaeger } from './services/jaeger';
import { kafka } from './services/kafka';
import { prometheus } from './services/prometheus';

/** Every service of the native stack, in start order (Alertmanager before the Prometheus that alerts it). */
export const SERVICES: readonly ServiceDefinition[] = [kafka, elasticsearch, jaeger, alertmanager, prometheus];

export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((service) => service.name);

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export function serviceNamed(name: ServiceName): ServiceDefinition {
  const service = SERVICES.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`unknown service ${name}`);
  return service;
}
