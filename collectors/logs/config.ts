import { BROKER, isHttpUrl } from '../../agent/config/resolve';
import { ErrorCodes, VigilConfigError } from '../../agent/errors';

export type RetentionMode = 'lifecycle' | 'ilm';

export type ElasticsearchAuth = { readonly apiKey: string } | { readonly username: string; readonly password: string };

/** The validated, frozen configuration of one collector process. */
export interface CollectorConfig {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly deadLetterTopic: string;
  readonly elasticsearchUrl: string;
  /** Credentials come from the environment only, so they stay out of `ps`; an API key wins over a password. */
  readonly elasticsearchAuth: ElasticsearchAuth | undefined;
  /** Largest bulk request body; a fetched batch is cut into requests of at most this size. */
  readonly batchBytes: number;
  /** Longest time Kafka holds a fetch open while it waits for batchBytes of records. */
  readonly batchWaitMs: number;
  /** Partitions whose batches are indexed at the same time. */
  readonly concurrency: number;
  readonly retention: RetentionMode;
  readonly retentionDays: number;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly shutdownTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
}

const SETTINGS = {
  brokers: { flag: 'brokers', env: 'VIGIL_KAFKA_BROKERS', help: 'Kafka brokers, host:port[,host:port] (required)' },
  topics: { flag: 'topics', env: 'VIGIL_COLLECTOR_TOPICS', help: 'topics to consume (default: $VIGIL_LOG_TOPIC or vigil-logs, and its -shadow twin)' },
  groupId: { flag: 'group', env: 'VIGIL_COLLECTOR_GROUP', help: 'consumer group (default: vigil-collector)' },
  deadLetterTopic: { flag: 'dead-letter-topic', env: 'VIGIL_COLLECTOR_DEAD_LETTER_TOPIC', help: 'topic for records Elasticsearch cannot take (default: vigil-logs-dead-letter)' },
  elasticsearchUrl: { flag: 'elasticsearch-url', env: 'VIGIL_ELASTICSEARCH_URL', help: 'Elasticsearch URL (default: http://localhost:9200)' },
  batchBytes: { flag: 'batch-bytes', env: 'VIGIL_COLLECTOR_BATCH_BYTES', help: 'largest bulk request in bytes (default: 5242880)' },
  batchWaitMs: { flag: 'batch-wait-ms', env: 'VIGIL_COLLECTOR_BATCH_WAIT_MS', help: 'longest wait for a full batch in ms (default: 500)' },
  concurrency: { flag: 'concurrency', env: 'VIGIL_COLLECTOR_CONCURRENCY', help: 'partitions indexed at the same time (default: 4)' },
  retention: { flag: 'retention', env: 'VIGIL_COLLECTOR_RETENTION', help: 'lifecycle (data stream lifecycle) or ilm (default: lifecycle)' },
  retentionDays: { flag: 'retention-days', env: 'VIGIL_COLLECTOR_RETENTION_DAYS', help: 'days a log document is kept (default: 30)' },
  metricsHost: { flag: 'metrics-host', env: 'VIGIL_COLLECTOR_METRICS_HOST', help: 'host of the metrics server (default: 0.0.0.0)' },
  metricsPort: { flag: 'metrics-port', env: 'VIGIL_COLLECTOR_METRICS_PORT', help: 'port of the metrics server, 0 = off (default: 9465)' },
  shutdownTimeoutMs: { flag: 'shutdown-timeout-ms', env: 'VIGIL_COLLECTOR_SHUTDOWN_TIMEOUT_MS', help: 'time allowed to finish, commit and leave on SIGTERM (default: 30000)' },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

export function usage(): string {
  const lines = Object.values(SETTINGS).map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(36)} ${s.help}`);
  return [
    'usage: vigil-collector [--flag value ...]',
    '  flag                     environment variable',
    ...lines,
    'Elasticsearch credentials, from the environment only: VIGIL_ELASTICSEARCH_API_KEY, or VIGIL_ELASTICSEARCH_USERNAME and VIGIL_ELASTICSEARCH_PASSWORD.',
  ].join('\n');
}

/** Splits `--name value` and `--name=value` pairs; the flag name in an error is the one the user wrote. */
function parseArgs(argv: readonly string[]): Map<string, string> {
  const known = new Map<string, SettingName>(Object.entries(SETTINGS).map(([name, s]) => [s.flag, name as SettingName]));
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const flag = match?.[1];
    if (flag === undefined || !known.has(flag)) {
      throw new VigilConfigError(arg, arg, `one of ${[...known.keys()].map((f) => `--${f}`).join(', ')}`, ErrorCodes.UNKNOWN_OPTION);
    }
    const value = match?.[2] ?? argv[++i];
    if (value === undefined) throw new VigilConfigError(`--${flag}`, undefined, 'a value after the flag');
    values.set(known.get(flag) as SettingName, value);
  }
  return values;
}

/**
 * Validates flags and environment once into one frozen config; flags win over the environment.
 * Throws VigilConfigError naming the flag or variable, the value and what is allowed.
 */
export function resolveCollectorConfig(argv: readonly string[], env: Env = process.env): CollectorConfig {
  const flags = parseArgs(argv);
  const source = (name: SettingName): { label: string; value: string } | undefined => {
    const setting: Setting = SETTINGS[name];
    const fromFlag = flags.get(name);
    if (fromFlag !== undefined) return { label: `--${setting.flag}`, value: fromFlag };
    const fromEnv = env[setting.env];
    return fromEnv === undefined || fromEnv.trim() === '' ? undefined : { label: setting.env, value: fromEnv };
  };
  const text = (name: SettingName, fallback: string, check: (value: string) => boolean, allowed: string): string => {
    const found = source(name);
    if (found === undefined) return fallback;
    const value = found.value.trim();
    if (!check(value)) throw new VigilConfigError(found.label, found.value, allowed);
    return value;
  };
  const list = (name: SettingName, fallback: readonly string[], check: (item: string) => boolean, allowed: string): string[] => {
    const found = source(name);
    if (found === undefined) return [...fallback];
    const items = found.value.split(',').map((item) => item.trim());
    if (!items.every(check)) throw new VigilConfigError(found.label, found.value, allowed);
    return items;
  };
  const integer = (name: SettingName, fallback: number, min: number, max: number): number => {
    const found = source(name);
    if (found === undefined) return fallback;
    const value = Number(found.value.trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new VigilConfigError(found.label, found.value, `an integer from ${min} to ${max}`);
    }
    return value;
  };

  const brokers = list('brokers', [], (broker) => BROKER.test(broker), 'a comma-separated list of host:port, such as kafka-1:9092,kafka-2:9092');
  if (brokers.length === 0) {
    throw new VigilConfigError(`--${SETTINGS.brokers.flag}`, undefined, `host:port of at least one Kafka broker (or ${SETTINGS.brokers.env})`);
  }
  const logTopic = env.VIGIL_LOG_TOPIC?.trim() || 'vigil-logs';
  const topicAllowed = 'Kafka topic names of letters, digits, ".", "_" and "-"';

  return Object.freeze({
    brokers: Object.freeze(brokers),
    topics: Object.freeze(list('topics', [logTopic, `${logTopic}-shadow`], (topic) => TOPIC.test(topic), topicAllowed)),
    groupId: text('groupId', 'vigil-collector', (group) => /^[A-Za-z0-9._-]{1,249}$/.test(group), 'a group id of letters, digits, ".", "_" and "-"'),
    deadLetterTopic: text('deadLetterTopic', 'vigil-logs-dead-letter', (topic) => TOPIC.test(topic), topicAllowed),
    elasticsearchUrl: text('elasticsearchUrl', 'http://localhost:9200', isHttpUrl, 'an http:// or https:// URL'),
    elasticsearchAuth: elasticsearchAuth(env),
    batchBytes: integer('batchBytes', 5 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    batchWaitMs: integer('batchWaitMs', 500, 0, 60_000),
    concurrency: integer('concurrency', 4, 1, 64),
    retention: text('retention', 'lifecycle', (mode) => mode === 'lifecycle' || mode === 'ilm', 'lifecycle or ilm') as RetentionMode,
    retentionDays: integer('retentionDays', 30, 1, 36_500),
    metricsHost: text('metricsHost', '0.0.0.0', (host) => host !== '', 'a host name or address'),
    metricsPort: integer('metricsPort', 9465, 0, 65_535),
    shutdownTimeoutMs: integer('shutdownTimeoutMs', 30_000, 0, 600_000),
  });
}

function elasticsearchAuth(env: Env): ElasticsearchAuth | undefined {
  const apiKey = env.VIGIL_ELASTICSEARCH_API_KEY?.trim();
  if (apiKey) return { apiKey };
  const username = env.VIGIL_ELASTICSEARCH_USERNAME?.trim();
  if (!username) return undefined;
  const password = env.VIGIL_ELASTICSEARCH_PASSWORD;
  if (!password) throw new VigilConfigError('VIGIL_ELASTICSEARCH_PASSWORD', password, 'the password of VIGIL_ELASTICSEARCH_USERNAME');
  return { username, password };
}
