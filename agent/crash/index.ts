/* eslint-disable @typescript-eslint/no-require-imports -- Sentry is loaded only when a DSN is set. */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/options';
import type { Diag } from '../diag';
import type { TraceIdOf } from '../metrics/http-server';
import type { MetricsRegistry } from '../metrics/registry';
import type { RouteResolver } from '../metrics/routes';
import type * as SentryCapture from './sentry';

export interface CrashDeps {
  readonly config: VigilConfig;
  readonly diag: Diag;
  readonly registry: MetricsRegistry;
  /** The service's logger, whose latest lines become breadcrumbs. */
  readonly logger: Logger;
  /** The agent's own metrics server, whose answers are not crash events. */
  readonly ownServer: Server | undefined;
  readonly traceIdOf: TraceIdOf;
  /** Shared with the metrics: route names for the events' tags. */
  readonly routes: RouteResolver;
  /** Flushes every signal within the shutdown budget; run before a fatal error ends the process. */
  readonly flushAll: () => Promise<void>;
}

export interface CrashCapture {
  /** Sends the events still queued within `signal`'s budget, then stops capturing. */
  close(signal: AbortSignal): Promise<void>;
}

/**
 * Starts crash capture when a Sentry DSN is configured. Without one it returns undefined, and
 * neither Sentry nor anything of this folder that needs it is loaded: a service that does not use
 * Sentry does not pay for it.
 */
export function startCrashCapture(deps: CrashDeps): CrashCapture | undefined {
  const { dsn } = deps.config.sentry;
  if (dsn === undefined) return undefined;
  const { startSentry } = require('./sentry') as typeof SentryCapture;
  return startSentry(deps, dsn);
}
