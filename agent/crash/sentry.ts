import * as Sentry from '@sentry/node';
import type { CrashCapture, CrashDeps } from '.';
import { CaptureLimiter } from './capture-limiter';
import { diagnosticReport } from './diagnostic-report';
import { eventContextIntegration } from './event-context';
import { fatalExit } from './fatal';
import { captureHttpErrors } from './http-errors';
import { LogTail } from './log-tail';
import { deliveryMetrics } from './metrics';
import { redactEvent } from './redact-event';
import { crashTransport } from './transport';

/** 5xx events per route, status and error class in each window; the rest are counted as dropped. */
const HTTP_EVENTS_PER_WINDOW = 10;
const HTTP_WINDOW_MS = 60_000;
/** Events held in memory for a retry while Sentry cannot be reached. */
const MAX_QUEUED_EVENTS = 30;
/** Process events Sentry's handlers listen to; what init adds is removed again on close. */
const PROCESS_EVENTS: readonly ('uncaughtException' | 'unhandledRejection')[] = ['uncaughtException', 'unhandledRejection'];
type ProcessListener = (...args: unknown[]) => void;

/**
 * Starts Sentry for `dsn`. Sentry runs without its own OpenTelemetry set-up and without tracing:
 * Vigil's tracer provider stays the only one, and events carry its trace ids instead.
 */
export function startSentry(deps: CrashDeps, dsn: string): CrashCapture {
  const { config, diag, registry, logger, ownServer, traceIdOf, routes, flushAll } = deps;
  const { environment, release, unhandledRejections } = config.sentry;
  const destination = new URL(dsn).host;
  const delivery = deliveryMetrics(registry, diag, destination, MAX_QUEUED_EVENTS);
  const transport = crashTransport(Sentry.makeNodeTransport, delivery, MAX_QUEUED_EVENTS);

  const tail = new LogTail();
  const unfollow = tail.follow(logger);
  const origins = new WeakMap<object, string>();
  const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';
  const onMonitor = (error: unknown, origin: string) => {
    if (isObject(error)) origins.set(error, origin);
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
      eventContextIntegration({ identity: config.identity, tail, originOf: (error) => (isObject(error) ? origins.get(error) : undefined) }),
      Sentry.linkedErrorsIntegration(),
      Sentry.dedupeIntegration(),
      Sentry.contextLinesIntegration(),
      Sentry.nodeContextIntegration(),
      Sentry.onUncaughtExceptionIntegration({ onFatalError: fatalExit({ diag, flushAll, budgetMs: config.shutdown.timeoutMs }) }),
      // "strict" leaves rejections to Node, which ends the process through the uncaught-exception path above.
      ...(unhandledRejections === 'strict' ? [] : [Sentry.onUnhandledRejectionIntegration({ mode: unhandledRejections })]),
    ],
    transport: transport.make,
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

  const stopHttp = captureHttpErrors({
    sentry: Sentry,
    routes,
    ignoreServer: (server) => server === ownServer,
    traceIdOf,
    limiter: new CaptureLimiter(HTTP_EVENTS_PER_WINDOW, HTTP_WINDOW_MS),
    onLimited: () => delivery.dropped('rate_limited', 1),
    diag,
  });
  diag.info(`crash capture: on; events go to Sentry at ${destination}; unhandled rejections: ${unhandledRejections}`);

  return {
    async close(signal) {
      stopHttp();
      unfollow();
      await Promise.race([client?.close(config.shutdown.timeoutMs), aborted(signal)]);
      removeProcessListeners();
      const left = transport.queued();
      if (left > 0) delivery.dropped('left_at_shutdown', left);
    },
  };
}

/** The last step before an event leaves: a fatal one gets the diagnostic report, and every one is censored. */
function finishEvent(event: Sentry.ErrorEvent, hint: Sentry.EventHint): Sentry.ErrorEvent {
  if (event.level === 'fatal') {
    const report = diagnosticReport(hint.originalException);
    if (report !== undefined) hint.attachments = [...(hint.attachments ?? []), report];
  }
  return redactEvent(event) as Sentry.ErrorEvent;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
