import pino, { type Logger } from 'pino';
import type { Breadcrumb, SeverityLevel } from '@sentry/node';

/** How many of the latest log lines an event carries as breadcrumbs. */
export const TAIL_LINES = 50;
/** Longer lines are left out of the tail: a breadcrumb is a hint, and the tail's memory stays bounded. */
export const MAX_LINE_BYTES = 8 * 1024;

/** Fields every Vigil log record carries that say nothing about what happened. */
const IDENTITY_FIELDS = new Set(['@timestamp', 'log.level', 'message', 'ecs.version', 'service.name', 'service.version', 'service.environment', 'service.tier', 'process.pid', 'host.hostname']);

const LEVELS: Readonly<Record<string, SeverityLevel>> = { trace: 'debug', debug: 'debug', info: 'info', warn: 'warning', error: 'error', fatal: 'fatal' };

interface Writable {
  write(line: string): unknown;
}

/**
 * The latest lines the service's logger wrote, kept as the strings pino already made: remembering
 * a line costs one array slot, and lines are parsed only when an event is sent. The lines were
 * censored by the logger before they reach the tail.
 */
export class LogTail {
  private readonly lines: (string | undefined)[] = new Array<string | undefined>(TAIL_LINES);
  private next = 0;

  push(line: string): void {
    if (line.length > MAX_LINE_BYTES) return;
    this.lines[this.next] = line;
    this.next = (this.next + 1) % TAIL_LINES;
  }

  /** The remembered lines, oldest first, as Sentry breadcrumbs. */
  breadcrumbs(): Breadcrumb[] {
    const crumbs: Breadcrumb[] = [];
    for (let i = 0; i < TAIL_LINES; i++) {
      const line = this.lines[(this.next + i) % TAIL_LINES];
      if (line === undefined) continue;
      const crumb = toBreadcrumb(line);
      if (crumb !== undefined) crumbs.push(crumb);
    }
    return crumbs;
  }

  /**
   * Copies every line `logger` writes (its children share the destination) into the tail.
   * Returns the function that stops it. pino exposes the destination under `pino.symbols.streamSym`.
   */
  follow(logger: Logger): () => void {
    const destination = (logger as unknown as Record<symbol, Writable | undefined>)[pino.symbols.streamSym];
    if (destination === undefined || typeof destination.write !== 'function') return () => {};
    const original = destination.write;
    const push = (line: string) => this.push(line);
    const write = function (this: Writable, line: string) {
      push(line);
      return original.call(this, line);
    };
    destination.write = write;
    return () => {
      if (destination.write === write) destination.write = original;
    };
  }
}

/** One ECS log line as a breadcrumb: its message, level and time, and its own fields as data. */
export function toBreadcrumb(line: string): Breadcrumb | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== 'object') return undefined;
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!IDENTITY_FIELDS.has(key)) data[key] = value;
  const millis = typeof record['@timestamp'] === 'string' ? Date.parse(record['@timestamp']) : Number.NaN;
  const crumb: Breadcrumb = { category: 'log', type: 'default', data };
  if (typeof record.message === 'string') crumb.message = record.message;
  const level = typeof record['log.level'] === 'string' ? LEVELS[record['log.level']] : undefined;
  if (level !== undefined) crumb.level = level;
  if (Number.isFinite(millis)) crumb.timestamp = millis / 1000;
  return crumb;
}
