/** Options accepted by init(). Each overrides its environment variable, which overrides the default. */
export interface VigilOptions {
  /** Service name on every signal. @default OTEL_SERVICE_NAME, else the name in package.json */
  serviceName?: string;
  /** Service version. @default the version in package.json */
  serviceVersion?: string;
  /** Deployment environment. @default deployment.environment from OTEL_RESOURCE_ATTRIBUTES, else NODE_ENV, else "development" */
  environment?: string;
  /** Criticality, 1 (most critical) to 4. @default VIGIL_TIER, else 3 */
  tier?: 1 | 2 | 3 | 4;
  /** Host the metrics and pprof server binds to. @default VIGIL_METRICS_HOST, else "0.0.0.0" */
  metricsHost?: string;
  /** Port of the metrics server; 0 turns it off. @default VIGIL_METRICS_PORT, else 9464 */
  metricsPort?: number;
  /** Route templates for plain node:http services ("/songs/:id"); frameworks report their own. @default VIGIL_HTTP_ROUTES, else none */
  httpRoutes?: readonly string[];
  /** Most label sets one metric may hold; new ones beyond are refused and counted. @default VIGIL_MAX_SERIES_PER_METRIC, else 2000 */
  maxSeriesPerMetric?: number;
  /** Kafka brokers for log shipping; logs go to stdout only when empty. @default VIGIL_KAFKA_BROKERS, else none */
  kafkaBrokers?: readonly string[];
  /** Kafka topic for log lines; shadow traffic goes to "<topic>-shadow". @default VIGIL_LOG_TOPIC, else "vigil-logs" */
  logTopic?: string;
  /** Lowest pino level written. @default VIGIL_LOG_LEVEL, else "info" */
  logLevel?: LogLevel;
  /** Extra paths redacted in log records, in pino's path syntax. @default none (the safe defaults always apply) */
  redact?: readonly string[];
  /** Also write log lines to stdout while they ship to Kafka; without brokers stdout is always on. @default VIGIL_LOG_STDOUT, else false */
  logStdout?: boolean;
  /** Directory of the on-disk spool that holds log lines while Kafka is unavailable. @default VIGIL_LOG_SPOOL_DIR, else "<tmpdir>/vigil-spool/<service>" */
  logSpoolDir?: string;
  /** Largest size of the log spool in bytes; lines beyond it are dropped and counted. @default VIGIL_LOG_SPOOL_MAX_BYTES, else 268435456 (256 MiB) */
  logSpoolMaxBytes?: number;
  /** Largest size of the in-memory log buffer in bytes before lines move to the spool. @default VIGIL_LOG_BUFFER_MAX_BYTES, else 16777216 (16 MiB) */
  logBufferMaxBytes?: number;
  /** Continuous profiler. @default VIGIL_PROFILER, else true */
  profiler?: boolean;
  /** Bearer token for /debug/pprof/*; without one only loopback clients are answered. @default VIGIL_PPROF_TOKEN */
  pprofToken?: string;
  /** Serve /debug/pprof/* on the metrics server. @default VIGIL_PPROF_ENDPOINTS, else true */
  pprofEndpoints?: boolean;
  /** Folder of the rolling on-disk profile store. @default VIGIL_PROFILE_DIR, else "<tmpdir>/vigil-profiles/<service>" */
  profileDir?: string;
  /** Most bytes the profile store may hold; the oldest profiles go first. @default VIGIL_PROFILE_STORE_MAX_BYTES, else 67108864 (64 MiB) */
  profileStoreMaxBytes?: number;
  /** Pyroscope-compatible server that profiles are pushed to. @default VIGIL_PYROSCOPE_URL, else none */
  pyroscopeUrl?: string;
  /** Share of one core the profiler may spend, averaged over a minute. @default VIGIL_PROFILER_BUDGET, else 0.01 */
  profilerBudget?: number;
  /** Trace exporter. @default OTEL_TRACES_EXPORTER, else "otlp" */
  tracesExporter?: TracesExporter;
  /** OTLP endpoint. @default OTEL_EXPORTER_OTLP_ENDPOINT, else "http://localhost:4318" */
  otlpEndpoint?: string;
  /** Jaeger Thrift HTTP collector. @default OTEL_EXPORTER_JAEGER_ENDPOINT, else "http://localhost:14268/api/traces" */
  jaegerEndpoint?: string;
  /** Sampler name, as in the OpenTelemetry specification. @default OTEL_TRACES_SAMPLER, else "parentbased_traceidratio" */
  tracesSampler?: TracesSampler;
  /** Sampler ratio from 0 to 1. @default OTEL_TRACES_SAMPLER_ARG, else 1 */
  tracesSamplerArg?: number;
  /** Instrumentations to leave off, by name (docs/tracing.md lists them). @default OTEL_NODE_DISABLED_INSTRUMENTATIONS, else none */
  disabledInstrumentations?: readonly string[];
  /** Longest a finished span waits before its batch is exported, in milliseconds. @default OTEL_BSP_SCHEDULE_DELAY, else 1000 */
  tracesExportDelayMs?: number;
  /** Sentry DSN; crash capture is off without one. @default SENTRY_DSN */
  sentryDsn?: string;
  /** What an unhandled promise rejection does: "strict" ends the process as Node does, after a fatal event; "warn" and "none" send an error event and carry on, "warn" printing a warning. @default VIGIL_UNHANDLED_REJECTIONS, else "strict" */
  unhandledRejections?: UnhandledRejections;
  /** Total time shutdown() may take to flush every signal, in milliseconds. @default VIGIL_SHUTDOWN_TIMEOUT_MS, else 5000 */
  shutdownTimeoutMs?: number;
  /** Run shutdown() on SIGTERM and SIGINT. @default true */
  handleSignals?: boolean;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type TracesExporter = 'otlp' | 'jaeger' | 'console' | 'none';
export type TracesSampler =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
export type Tier = 1 | 2 | 3 | 4;
export type UnhandledRejections = 'strict' | 'warn' | 'none';

/** The validated, frozen configuration every component reads. */
export interface VigilConfig {
  readonly identity: ServiceIdentity;
  readonly metrics: {
    readonly host: string;
    readonly port: number;
    readonly httpRoutes: readonly string[];
    readonly maxSeriesPerMetric: number;
  };
  readonly logs: {
    readonly kafkaBrokers: readonly string[];
    readonly topic: string;
    readonly level: LogLevel;
    readonly redact: readonly string[];
    readonly stdout: boolean;
    readonly spoolDir: string;
    readonly spoolMaxBytes: number;
    readonly bufferMaxBytes: number;
  };
  readonly traces: {
    readonly exporter: TracesExporter;
    readonly otlpEndpoint: string;
    readonly jaegerEndpoint: string;
    readonly sampler: TracesSampler;
    readonly samplerArg: number;
    readonly disabledInstrumentations: readonly string[];
    readonly exportDelayMs: number;
  };
  readonly profiler: {
    readonly enabled: boolean;
    readonly pprofToken: string | undefined;
    readonly endpoints: boolean;
    readonly storeDir: string;
    readonly storeMaxBytes: number;
    readonly pushUrl: string | undefined;
    readonly overheadBudget: number;
  };
  readonly sentry: {
    readonly dsn: string | undefined;
    readonly environment: string;
    readonly release: string;
    readonly unhandledRejections: UnhandledRejections;
  };
  readonly shutdown: {
    readonly timeoutMs: number;
    readonly handleSignals: boolean;
  };
}

/** What every signal carries, so a person can move from one signal to the next. */
export interface ServiceIdentity {
  readonly service: string;
  readonly version: string;
  readonly environment: string;
  readonly tier: Tier;
  /** Extra resource attributes from OTEL_RESOURCE_ATTRIBUTES. */
  readonly attributes: Readonly<Record<string, string>>;
}
