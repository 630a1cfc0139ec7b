import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestEventData } from '@sentry/node';
import { SECRET_KEYS } from '../logging/redaction';

/** What a crash event says about the request it happened in. */
export interface RequestFacts {
  readonly method: string;
  /** The route template (`/songs/:id`), never the raw path. */
  readonly route: string;
  readonly status: number;
}

/**
 * The request as Sentry shows it: method, URL without its query string (which may carry tokens)
 * and the headers, less every header the redaction list names (cookies and authorization among them).
 */
export function requestEventData(request: IncomingMessage): RequestEventData {
  const path = (request.url ?? '/').split(/[?#]/, 1)[0] ?? '/';
  const host = typeof request.headers.host === 'string' ? request.headers.host : 'localhost';
  const method = request.method ?? 'GET';
  return { method, url: `http://${host}${path}`, headers: safeHeaders(request.headers) };
}

export function safeHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_KEYS.has(name.toLowerCase())) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/** Tags, named after the OpenTelemetry HTTP conventions, so an event can be searched by route and status. */
export function requestTags({ method, route, status }: RequestFacts): Record<string, string> {
  return { 'http.request.method': method, 'http.route': route, 'http.response.status_code': String(status) };
}
