/* eslint-disable @typescript-eslint/no-require-imports -- each package is loaded only when its instrumentation is enabled. */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { InstrumentationName } from './names';

interface Entry {
  /** The name users pass to turn this instrumentation off. */
  readonly name: InstrumentationName;
  /** Packages it patches; a package already loaded when the agent starts cannot be patched. */
  readonly modules: readonly string[];
  /** The OpenTelemetry instrumentation; none where Vigil makes the spans itself from diagnostics channels. */
  readonly create?: () => Instrumentation;
}

type InstrumentationClass = new (config?: object) => Instrumentation;

/** Each instrumentation package is loaded only when enabled: a service using two should not pay for eleven. */
function load(packageName: string, className: string, config?: object): Instrumentation {
  const exported = require(packageName) as Record<string, InstrumentationClass>;
  const Class = exported[className];
  if (Class === undefined) throw new TypeError(`${packageName} has no ${className}`);
  return new Class(config);
}

const CATALOGUE: readonly Entry[] = [
  // Server and client spans both come from Node's diagnostics channels (http-server-spans.ts, http-client-spans.ts).
  { name: 'http', modules: [] },
  { name: 'undici', modules: [], create: () => load('@opentelemetry/instrumentation-undici', 'UndiciInstrumentation') },
  { name: 'express', modules: ['express'], create: () => load('@opentelemetry/instrumentation-express', 'ExpressInstrumentation') },
  // Fastify announces each new instance on a diagnostics channel, so loading it before the agent is harmless.
  { name: 'fastify', modules: [], create: () => load('@fastify/otel', 'FastifyOtelInstrumentation', { registerOnInitialization: true }) },
  { name: 'pg', modules: ['pg'], create: () => load('@opentelemetry/instrumentation-pg', 'PgInstrumentation') },
  { name: 'mysql2', modules: ['mysql2'], create: () => load('@opentelemetry/instrumentation-mysql2', 'MySQL2Instrumentation') },
  { name: 'ioredis', modules: ['ioredis'], create: () => load('@opentelemetry/instrumentation-ioredis', 'IORedisInstrumentation') },
  { name: 'redis', modules: ['redis', '@redis/client'], create: () => load('@opentelemetry/instrumentation-redis', 'RedisInstrumentation') },
  { name: 'mongodb', modules: ['mongodb'], create: () => load('@opentelemetry/instrumentation-mongodb', 'MongoDBInstrumentation') },
  { name: 'kafkajs', modules: ['kafkajs'], create: () => load('@opentelemetry/instrumentation-kafkajs', 'KafkaJsInstrumentation') },
  { name: 'grpc', modules: ['@grpc/grpc-js'], create: () => load('@opentelemetry/instrumentation-grpc', 'GrpcInstrumentation') },
];

/** Every package some instrumentation patches, for the ESM loader hook to intercept. */
export const PATCHED_MODULES: readonly string[] = CATALOGUE.flatMap((entry) => entry.modules);

export interface EnabledInstrumentations {
  readonly names: readonly InstrumentationName[];
  readonly instrumentations: readonly Instrumentation[];
}

/** Creates the instrumentations not listed in `disabled`. */
export function createInstrumentations(disabled: readonly string[]): EnabledInstrumentations {
  const enabled = CATALOGUE.filter((entry) => !disabled.includes(entry.name));
  return { names: enabled.map((entry) => entry.name), instrumentations: enabled.flatMap((entry) => (entry.create === undefined ? [] : [entry.create()])) };
}

/**
 * The enabled instrumentations whose packages were already loaded through require() before the
 * agent started: their exports were taken before patching, so those calls go untraced.
 */
export function loadedTooEarly(names: readonly InstrumentationName[], loadedFiles: readonly string[]): string[] {
  const late: string[] = [];
  for (const entry of CATALOGUE) {
    if (!names.includes(entry.name)) continue;
    for (const module of entry.modules) {
      const marker = `/node_modules/${module}/`;
      if (loadedFiles.some((file) => file.replaceAll('\\', '/').includes(marker))) late.push(module);
    }
  }
  return late;
}
