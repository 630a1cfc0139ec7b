/* eslint-disable @typescript-eslint/no-require-imports -- @sentry/node is loaded only when a DSN is set. */
import type { Server } from 'node:http';
import type * as SentryModule from '@sentry/node';
import type { ErrorEvent, EventHint } from '@sentry/node';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/options';
import type { Diag } from '../diag';
import type { TraceIdOf } from '../metrics/http-server';
import type { MetricsRegistry } from '../metrics/registry';
import { CaptureLimiter } from './capture-limiter';
import { diagnosticReport } from './diagnostic-report';
import { eventContextIntegration, KIND_TAG } from './event-context';
import { fatalExit } from './fatal';
import { captureHttpErrors } from './http-errors';
import { LogTail } from './log-tail';
import { redactEvent } from './redact-event';
import { untracedTransport } from './transport';

export const CrashMetricNames = {
  events: 'vigil_crash_events_total',
  dropped: 'vigil_crash_events_dropped_total',
} as const;

/** 5xx events per route, status and error class in each window; the rest are counted as dropped. */
const HTTP_EVENTS_PER_WINDOW = 10;
const HTTP_WINDOW_MS = 60_000;
/** Process events Sentry's handlers listen to; what init adds is removed again on close. */
const PROCESS_EVENTS: readonly ('uncaughtException' | 'unhandledRejection')[] = ['uncaughtException', 'unhandledRejection'];
type ProcessListener = (...args: unknown[]) => void;

export interface CrashDeps {
  readonly config: VigilConfig;
  readonly diag: Diag;
  readonly registry: MetricsRegistry;
  /** The service's logger, whose latest lines become breadcrumbs. */
  readonly logger: Logger;
  /** The agent's own metrics server, whose answers are not crash events. */
  readonly ownServer: Server | undefined;
  readonly traceIdOf: TraceIdOf;
  /** Flushes every signal within the shutdown budget; run before a fatal error ends the process. */
  readonly flushAll: () => Promise<void>;
}

export interface CrashCapture {
  /** Sends the events still queued within `signal`'s budget, then stops capturing. */
  close(signal: AbortSignal): Promise<void>;
}

/**
 * Starts Sentry for the configured DSN, or does nothing (and loads nothing) without one. Sentry
 * runs without its own OpenTelemetry set-up and without tracing: Vigil's tracer provider stays the
 * only one, and events carry its trace ids instead.
 */
export function startCrashCapture(deps: CrashDeps): CrashCapture | undefined {
  const { config, diag, registry, logger, ownServer, traceIdOf, flushAll } = deps;
  const { dsn, environment, release, unhandledRejections } = config.sentry;
  if (dsn === undefined) return undefined;
  const Sentry = require('@sentry/node') as typeof SentryModule;
  const sent = registry.counter<'kind'>({ name: CrashMetricNames.events, help: 'Crash events Sentry accepted.', labelNames: ['kind'] });
  const dropped = registry.counter<'reason'>({ name: CrashMetricNames.dropped, help: 'Crash events that did not reach Sentry.', labelNames: ['reason'] });

  const tail = new LogTail();
  const unfollow = tail.follow(logger);
  const origins = new WeakMap<object, string>();
  const onMonitor = (error: unknown, origin: string) => {
    if (error !== null && typeof error === 'object') origins.set(error, origin);
  };
  process.on('uncaughtExceptionMonitor', onMonitor);
  const listenersOf = (name: string) => process.listeners(name as 'uncaughtException') as ProcessListener[];
  const listenersBefore = PROCESS_EVENTS.map((name) => new Set(listenersOf(name)));

  const client = Sentry.init({
    dsn,
    environment,
    release,
    defaultIntegrations: false,
    integrations: [
      eventContextIntegration({ identity: config.identity, tail, originOf: (error) => (error !== null && typeof error === 'object' ? origins.get(error) : undefined) }),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.nodeContextIntegration(),
      Sentry.onUncaughtExceptionIntegration({ onFatalError: fatalExit({ diag, flushAll, budgetMs: config.shutdown.timeoutMs }) }),
      // "strict" leaves rejections to Node, which ends the process through the uncaught-exception path above.
      ...(unhandledRejections === 'strict' ? [] : [Sentry.onUnhandledRejectionIntegration({ mode: unhandledRejections })]),
    ],
    transport: untracedTransport(Sentry.makeNodeTransport),
    enableOpenTelemetrySetup: false,
    enableRuntimeChannelInjection: false,
    sendClientReports: false,
    // Vigil builds the request context itself (redacted); Sentry is told to collect nothing personal on its own.
    dataCollection: { userInfo: false, cookies: false, urlQueryParams: false, httpBodies: [] },
    beforeSend: (event, hint) => finishEvent(event, hint),
  });
  const added = PROCESS_EVENTS.map((name, i) => listenersOf(name).filter((listener) => !listenersBefore[i]?.has(listener)));
  const removeProcessListeners = () => {
    process.removeListener('uncaughtExceptionMonitor', onMonitor);
    PROCESS_EVENTS.forEach((name, i) => added[i]?.forEach((listener) => process.removeListener(name, listener)));
  };

  const destination = new URL(dsn).host;
  client?.on('afterSendEvent', (event, response) => {
    const status = response.statusCode;
    if (status !== undefined && status >= 200 && status < 300) {
      sent.inc({ kind: String(event.tags?.[KIND_TAG] ?? 'other') });
      diag.state('crash.send', 'ok', `crash capture: Sentry at ${destination} takes events`);
      return;
    }
    dropped.inc({ reason: status === undefined ? 'not_delivered' : 'rejected' });
    diag.state(
      'crash.send',
      'failing',
      `crash capture: Sentry at ${destination} ${status === undefined ? 'cannot be reached' : `answers ${status}`}; events are dropped and counted in ${CrashMetricNames.dropped}`,
    );
  });

  const stopHttp = captureHttpErrors({
    sentry: Sentry,
    routeTemplates: config.metrics.httpRoutes,
    ignoreServer: (server) => server === ownServer,
    traceIdOf,
    limiter: new CaptureLimiter(HTTP_EVENTS_PER_WINDOW, HTTP_WINDOW_MS),
    onLimited: () => dropped.inc({ reason: 'rate_limited' }),
  });
  diag.info(`crash capture: on; events go to Sentry at ${destination}; unhandled rejections: ${unhandledRejections}`);

  return {
    async close(signal) {
      stopHttp();
      unfollow();
      await Promise.race([client?.close(config.shutdown.timeoutMs), aborted(signal)]);
      removeProcessListeners();
    },
  };
}

/** The last step before an event leaves: a fatal one gets the diagnostic report, and every one is censored. */
function finishEvent(event: ErrorEvent, hint: EventHint): ErrorEvent {
  if (event.level === 'fatal') {
    const report = diagnosticReport(hint.originalException);
    if (report !== undefined) hint.attachments = [...(hint.attachments ?? []), report];
  }
  return redactEvent(event) as ErrorEvent;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
