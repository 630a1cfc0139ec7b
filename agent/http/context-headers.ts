import type { IncomingMessage } from 'node:http';
import { TRAFFIC_HEADER } from '../traffic';

/** The headers trace propagation and traffic colouring read; Jaeger's `uberctx-` baggage only comes with one of them. */
const CONTEXT_HEADERS = ['traceparent', 'baggage', 'uber-trace-id', TRAFFIC_HEADER];

/** Each name under its length, which tells them apart; most header names match none of these lengths. */
const CONTEXT_HEADER_BY_LENGTH: (string | undefined)[] = [];
for (const name of CONTEXT_HEADERS) CONTEXT_HEADER_BY_LENGTH[name.length] = name;

/**
 * Whether the request carries a propagated context or a traffic colour. Node.js builds
 * `request.headers` (lower-casing every name) on first access, which a small route that never
 * reads it does not otherwise pay for; most requests from outside carry none of these headers, so
 * the raw list is scanned instead, without allocating.
 */
export function carriesContextHeaders(request: IncomingMessage): boolean {
  const raw = request.rawHeaders;
  for (let at = 0; at < raw.length; at += 2) {
    const name = raw[at]!;
    const wanted = CONTEXT_HEADER_BY_LENGTH[name.length];
    if (wanted !== undefined && equalsLowerCase(name, wanted)) return true;
  }
  return false;
}

/** `name` case-insensitively against `lower`, which is lower case: setting bit 5 lower-cases a letter and keeps `-`. */
function equalsLowerCase(name: string, lower: string): boolean {
  for (let at = 0; at < lower.length; at++) {
    if ((name.charCodeAt(at) | 0x20) !== lower.charCodeAt(at)) return false;
  }
  return true;
}
