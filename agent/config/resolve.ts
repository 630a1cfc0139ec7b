import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, VigilConfigError } from '../errors';
import type { LogLevel, Tier, TracesExporter, TracesSampler, UnhandledRejections, VigilConfig, VigilOptions } from './options';
import { INSTRUMENTATION_NAMES } from '../tracing/names';

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const EXPORTERS: readonly TracesExporter[] = ['otlp', 'jaeger', 'console', 'none'];
const SAMPLERS: readonly TracesSampler[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const UNHANDLED_REJECTIONS: readonly UnhandledRejections[] = ['strict', 'warn', 'none'];
const KNOWN_OPTIONS = new Set<string>([
  'serviceName', 'serviceVersion', 'environment', 'tier', 'metricsHost', 'metricsPort', 'httpRoutes',
  'maxSeriesPerMetric', 'kafkaBrokers', 'logTopic', 'logLevel', 'redact', 'profiler', 'pprofToken', 'pprofEndpoints', 'profileDir', 'profileStoreMaxBytes', 'pyroscopeUrl', 'profilerBudget',
  'tracesExporter', 'otlpEndpoint', 'jaegerEndpoint', 'tracesSampler', 'tracesSamplerArg', 'sentryDsn', 'unhandledRejections',
  'shutdownTimeoutMs', 'handleSignals', 'logStdout', 'logSpoolDir', 'logSpoolMaxBytes', 'logBufferMaxBytes', 'disabledInstrumentations',
  'tracesExportDelayMs',
] satisfies (keyof VigilOptions)[]);

/**
 * Reads one setting from the option, else its environment variable, else the default, and checks it.
 * The name in an error is the one the user wrote: the option key, or the variable.
 */
class Reader {
  constructor(
    private readonly options: VigilOptions,
    private readonly env: Env,
  ) {}

  private source<K extends keyof VigilOptions>(key: K, envName: string | undefined) {
    const fromOption = this.options[key];
    if (fromOption !== undefined) return { name: key as string, value: fromOption as unknown, raw: false };
    const fromEnv = envName === undefined ? undefined : this.env[envName];
    if (fromEnv !== undefined && fromEnv !== '') return { name: envName as string, value: fromEnv as unknown, raw: true };
    return undefined;
  }

  string(key: keyof VigilOptions, envName: string | undefined, fallback: string): string {
    return this.optionalString(key, envName) ?? fallback;
  }

  optionalString(key: keyof VigilOptions, envName: string | undefined): string | undefined {
    const found = this.source(key, envName);
    if (found === undefined) return undefined;
    if (typeof found.value !== 'string' || found.value.trim() === '') {
      throw new VigilConfigError(found.name, found.value, 'a non-empty string');
    }
    return found.value.trim();
  }

  oneOf<T extends string>(key: keyof VigilOptions, envName: string | undefined, allowed: readonly T[], fallback: T): T {
    const found = this.source(key, envName);
    if (found === undefined) return fallback;
    const value = typeof found.value === 'string' ? found.value.trim().toLowerCase() : found.value;
    if (!allowed.includes(value as T)) throw new VigilConfigError(found.name, found.value, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  number(key: keyof VigilOptions, envName: string | undefined, fallback: number, check: NumberCheck): number {
    const found = this.source(key, envName);
    if (found === undefined) return fallback;
    const value = found.raw ? Number(String(found.value).trim()) : found.value;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!check.integer || Number.isInteger(value)) &&
      value >= check.min &&
      value <= check.max;
    if (!ok) {
      const kind = check.integer ? 'an integer' : 'a number';
      throw new VigilConfigError(found.name, found.value, `${kind} from ${check.min} to ${check.max}`);
    }
    return value;
  }

  boolean(key: keyof VigilOptions, envName: string | undefined, fallback: boolean): boolean {
    const found = this.source(key, envName);
    if (found === undefined) return fallback;
    if (typeof found.value === 'boolean') return found.value;
    if (found.raw) {
      const word = String(found.value).trim().toLowerCase();
      if (['on', 'true', '1'].includes(word)) return true;
      if (['off', 'false', '0'].includes(word)) return false;
    }
    throw new VigilConfigError(found.name, found.value, found.raw ? 'on, off, true, false, 1 or 0' : 'true or false');
  }

  list(key: keyof VigilOptions, envName: string | undefined, check: (item: string) => boolean, allowed: string): string[] {
    const found = this.source(key, envName);
    if (found === undefined) return [];
    const items = found.raw ? String(found.value).split(',').map((item) => item.trim()) : found.value;
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string' && check(item))) {
      throw new VigilConfigError(found.name, found.value, allowed);
    }
    return items as string[];
  }
}

interface NumberCheck {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

export const BROKER = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
const ROUTE_TEMPLATE = /^\/[^\s?#]*$/;
const REDACT_PATH = /^[^\s]+$/;

/** A Sentry DSN is `<protocol>://<public key>@<host>[:port]/[path/]<project id>`. */
export function isValidSentryDsn(dsn: string): boolean {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return false;
  }
  const projectId = url.pathname.split('/').pop() ?? '';
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username !== '' && /^\d+$/.test(projectId);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Parses OTEL_RESOURCE_ATTRIBUTES: `key=value,key=value`, values percent-encoded. */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return attributes;
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    if (at <= 0 || key === '') {
      throw new VigilConfigError('OTEL_RESOURCE_ATTRIBUTES', raw, 'a comma-separated list of key=value pairs');
    }
    attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return attributes;
}

interface PackageInfo {
  name?: string;
  version?: string;
}

function readServicePackage(cwd: string): PackageInfo {
  try {
    return JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as PackageInfo;
  } catch {
    return {};
  }
}

function checkUrl(name: string, value: string): string {
  if (!isHttpUrl(value)) throw new VigilConfigError(name, value, 'an http:// or https:// URL');
  return value;
}

/**
 * Validates options and environment once, at the edge, into one frozen config.
 * Throws VigilConfigError naming the option, the value and what is allowed.
 */
export function resolveConfig(options: VigilOptions = {}, env: Env = process.env, cwd = process.cwd()): VigilConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new VigilConfigError('options', options, 'an object or nothing');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new VigilConfigError(key, (options as Record<string, unknown>)[key], `one of the documented options (${[...KNOWN_OPTIONS].join(', ')})`, ErrorCodes.UNKNOWN_OPTION);
    }
  }
  const read = new Reader(options, env);
  const pkg = readServicePackage(cwd);
  const attributes = parseResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES);

  const service = read.string('serviceName', 'OTEL_SERVICE_NAME', attributes['service.name'] ?? pkg.name ?? 'unknown_service:node');
  const version = read.string('serviceVersion', undefined, attributes['service.version'] ?? pkg.version ?? '0.0.0');
  const environment = read.string('environment', undefined, attributes['deployment.environment'] ?? env.NODE_ENV ?? 'development');
  const tier = read.number('tier', 'VIGIL_TIER', 3, { min: 1, max: 4, integer: true }) as Tier;

  const metricsHost = read.string('metricsHost', 'VIGIL_METRICS_HOST', '0.0.0.0');
  const metricsPort = read.number('metricsPort', 'VIGIL_METRICS_PORT', 9464, { min: 0, max: 65535, integer: true });
  const httpRoutes = read.list('httpRoutes', 'VIGIL_HTTP_ROUTES', (route) => ROUTE_TEMPLATE.test(route), 'route templates that start with "/", such as /songs/:id');
  const maxSeriesPerMetric = read.number('maxSeriesPerMetric', 'VIGIL_MAX_SERIES_PER_METRIC', 2000, { min: 1, max: 1_000_000, integer: true });

  const kafkaBrokers = read.list('kafkaBrokers', 'VIGIL_KAFKA_BROKERS', (broker) => BROKER.test(broker), 'a comma-separated list of host:port, such as kafka-1:9092,kafka-2:9092');
  const logTopic = read.string('logTopic', 'VIGIL_LOG_TOPIC', 'vigil-logs');
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(logTopic)) {
    throw new VigilConfigError(options.logTopic !== undefined ? 'logTopic' : 'VIGIL_LOG_TOPIC', logTopic, 'a Kafka topic name of letters, digits, ".", "_" and "-"');
  }
  const logLevel = read.oneOf('logLevel', 'VIGIL_LOG_LEVEL', LOG_LEVELS, 'info');
  const redact = read.list('redact', undefined, (path) => REDACT_PATH.test(path), 'pino redaction paths, such as req.headers.authorization');
  const logStdout = read.boolean('logStdout', 'VIGIL_LOG_STDOUT', false) || kafkaBrokers.length === 0;
  const logSpoolDir = read.string('logSpoolDir', 'VIGIL_LOG_SPOOL_DIR', join(tmpdir(), 'vigil-spool', service.replace(/[^A-Za-z0-9._-]/g, '_')));
  const logSpoolMaxBytes = read.number('logSpoolMaxBytes', 'VIGIL_LOG_SPOOL_MAX_BYTES', 256 * 1024 * 1024, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true });
  const logBufferMaxBytes = read.number('logBufferMaxBytes', 'VIGIL_LOG_BUFFER_MAX_BYTES', 16 * 1024 * 1024, { min: 64 * 1024, max: 4 * 1024 * 1024 * 1024, integer: true });

  const profilerEnabled = read.boolean('profiler', 'VIGIL_PROFILER', true);
  const pprofToken = read.optionalString('pprofToken', 'VIGIL_PPROF_TOKEN');
  const pprofEndpoints = read.boolean('pprofEndpoints', 'VIGIL_PPROF_ENDPOINTS', true);
  const profileDir = read.string('profileDir', 'VIGIL_PROFILE_DIR', join(tmpdir(), 'vigil-profiles', service.replace(/[^A-Za-z0-9._-]/g, '_')));
  const profileStoreMaxBytes = read.number('profileStoreMaxBytes', 'VIGIL_PROFILE_STORE_MAX_BYTES', 64 * 1024 * 1024, { min: 1024, max: Number.MAX_SAFE_INTEGER, integer: true });
  const pyroscopeUrl = read.optionalString('pyroscopeUrl', 'VIGIL_PYROSCOPE_URL');
  if (pyroscopeUrl !== undefined) checkUrl(options.pyroscopeUrl !== undefined ? 'pyroscopeUrl' : 'VIGIL_PYROSCOPE_URL', pyroscopeUrl);
  const profilerBudget = read.number('profilerBudget', 'VIGIL_PROFILER_BUDGET', 0.01, { min: 0.0001, max: 1, integer: false });

  const exporter = read.oneOf('tracesExporter', 'OTEL_TRACES_EXPORTER', EXPORTERS, 'otlp');
  const otlpEndpoint = checkUrl(
    options.otlpEndpoint !== undefined ? 'otlpEndpoint' : 'OTEL_EXPORTER_OTLP_ENDPOINT',
    read.string('otlpEndpoint', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http://localhost:4318'),
  );
  const jaegerEndpoint = checkUrl(
    options.jaegerEndpoint !== undefined ? 'jaegerEndpoint' : 'OTEL_EXPORTER_JAEGER_ENDPOINT',
    read.string('jaegerEndpoint', 'OTEL_EXPORTER_JAEGER_ENDPOINT', 'http://localhost:14268/api/traces'),
  );
  const sampler = read.oneOf('tracesSampler', 'OTEL_TRACES_SAMPLER', SAMPLERS, 'parentbased_traceidratio');
  const samplerArg = read.number('tracesSamplerArg', 'OTEL_TRACES_SAMPLER_ARG', 1, { min: 0, max: 1, integer: false });
  const disabledInstrumentations = read.list(
    'disabledInstrumentations',
    'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
    (name) => (INSTRUMENTATION_NAMES as readonly string[]).includes(name),
    `a comma-separated list of ${INSTRUMENTATION_NAMES.join(', ')}`,
  );
  const exportDelayMs = read.number('tracesExportDelayMs', 'OTEL_BSP_SCHEDULE_DELAY', 1000, { min: 0, max: 600_000, integer: true });

  const dsn = read.optionalString('sentryDsn', 'SENTRY_DSN');
  if (dsn !== undefined && !isValidSentryDsn(dsn)) {
    throw new VigilConfigError(options.sentryDsn !== undefined ? 'sentryDsn' : 'SENTRY_DSN', dsn, 'a Sentry DSN such as https://<public key>@<host>/<project id>');
  }

  const unhandledRejections = read.oneOf('unhandledRejections', 'VIGIL_UNHANDLED_REJECTIONS', UNHANDLED_REJECTIONS, 'strict');

  const timeoutMs = read.number('shutdownTimeoutMs', 'VIGIL_SHUTDOWN_TIMEOUT_MS', 5000, { min: 0, max: 600_000, integer: true });
  const handleSignals = read.boolean('handleSignals', undefined, true);

  return deepFreeze({
    identity: { service, version, environment, tier, attributes },
    metrics: { host: metricsHost, port: metricsPort, httpRoutes, maxSeriesPerMetric },
    logs: { kafkaBrokers, topic: logTopic, level: logLevel, redact, stdout: logStdout, spoolDir: logSpoolDir, spoolMaxBytes: logSpoolMaxBytes, bufferMaxBytes: logBufferMaxBytes },
    traces: { exporter, otlpEndpoint, jaegerEndpoint, sampler, samplerArg, disabledInstrumentations, exportDelayMs },
    profiler: {
      enabled: profilerEnabled,
      pprofToken,
      endpoints: pprofEndpoints,
      storeDir: profileDir,
      storeMaxBytes: profileStoreMaxBytes,
      pushUrl: pyroscopeUrl,
      overheadBudget: profilerBudget,
    },
    sentry: { dsn, environment: env.SENTRY_ENVIRONMENT || environment, release: env.SENTRY_RELEASE || `${service}@${version}`, unhandledRejections },
    shutdown: { timeoutMs, handleSignals },
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child as object);
  }
  return Object.freeze(value);
}
