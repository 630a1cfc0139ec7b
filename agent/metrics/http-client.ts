import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { TRAFFIC_HEADER, baggageSaysShadow, type Traffic } from '../traffic';
import { isAgentCall } from '../http/own-calls';
import { serverOf } from '../http/server-address';
import { MetricNames, normalizeMethod } from './names';
import type { RequestHistogram } from './request-histogram';

interface Pending {
  readonly startedAt: number;
  readonly method: string;
  readonly address: string;
  readonly port: string;
  readonly traffic: Traffic;
}

/** The parts of an undici request its diagnostics channel shows. */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  headers?: string | string[] | Record<string, string>;
}

/** Where a call's start is kept on its request object, as the server side keeps its own. */
const PENDING = Symbol('vigil.pendingCall');
type Tracked = object & { [PENDING]?: Pending };

const CHANNELS = {
  httpStart: 'http.client.request.start',
  httpResponse: 'http.client.response.finish',
  httpError: 'http.client.request.error',
  undiciCreate: 'undici:request:create',
  undiciHeaders: 'undici:request:headers',
  undiciError: 'undici:request:error',
} as const;

/**
 * Outbound call latency for node:http clients and fetch/undici, to the time the response headers
 * arrive. The traffic colour is read from the outgoing baggage, which tracing propagates. The
 * agent's own calls (span exports, profile pushes, crash reports) are not the service's and are
 * left out.
 */
export function instrumentHttpClient(histogram: (name: string, help: string, labelNames: readonly string[]) => RequestHistogram): () => void {
  const duration = histogram(MetricNames.clientDuration, 'Duration of outbound HTTP requests, to the response headers.', [
    'http_request_method',
    'server_address',
    'server_port',
    'http_response_status_code',
    'error_type',
    'traffic',
  ]);
  const finish = (request: Tracked, status: number | undefined, errorType: string) => {
    const call = request[PENDING];
    if (call === undefined) return;
    // Written rather than deleted: deleting would move every request object to a slower shape.
    request[PENDING] = undefined;
    const statusLabel = status === undefined ? '' : String(status);
    duration.observe([call.method, call.address, call.port, statusLabel, errorType, call.traffic], (performance.now() - call.startedAt) / 1000);
  };

  const handlers: Record<string, (message: unknown) => void> = {
    [CHANNELS.httpStart]: (message) => {
      if (isAgentCall()) return;
      const { request } = message as { request: ClientRequest };
      const [address, port] = serverOf(request);
      (request as Tracked)[PENDING] = {
        startedAt: performance.now(),
        method: normalizeMethod(request.method),
        address,
        port,
        traffic: colour(request.getHeader(TRAFFIC_HEADER), request.getHeader('baggage')),
      };
    },
    [CHANNELS.httpResponse]: (message) => {
      const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
      const status = response.statusCode;
      finish(request, status, status !== undefined && status >= 400 ? String(status) : '');
    },
    [CHANNELS.httpError]: (message) => {
      const { request, error } = message as { request: ClientRequest; error: NodeJS.ErrnoException };
      finish(request, undefined, error.code ?? error.name);
    },
    [CHANNELS.undiciCreate]: (message) => {
      if (isAgentCall()) return;
      const { request } = message as { request: UndiciRequest };
      let origin: URL;
      try {
        origin = new URL(String(request.origin));
      } catch {
        return;
      }
      (request as Tracked)[PENDING] = {
        startedAt: performance.now(),
        method: normalizeMethod(request.method),
        address: origin.hostname,
        port: origin.port || (origin.protocol === 'https:' ? '443' : '80'),
        traffic: colour(undiciHeader(request, TRAFFIC_HEADER), undiciHeader(request, 'baggage')),
      };
    },
    [CHANNELS.undiciHeaders]: (message) => {
      const { request, response } = message as { request: object; response: { statusCode: number } };
      finish(request, response.statusCode, response.statusCode >= 400 ? String(response.statusCode) : '');
    },
    [CHANNELS.undiciError]: (message) => {
      const { request, error } = message as { request: object; error: Error & { code?: string } };
      finish(request, undefined, error.code ?? error.name);
    },
  };

  for (const [channel, handler] of Object.entries(handlers)) diagnostics.subscribe(channel, handler);
  return () => {
    for (const [channel, handler] of Object.entries(handlers)) diagnostics.unsubscribe(channel, handler);
  };
}

function colour(header: unknown, baggage: unknown): Traffic {
  if (header === 'shadow') return 'shadow';
  return typeof baggage === 'string' && baggageSaysShadow(baggage) ? 'shadow' : 'live';
}

/** undici keeps headers as a raw "name: value\r\n" string or a flat [name, value, ...] array. */
function undiciHeader(request: UndiciRequest, name: string): string | undefined {
  const { headers } = request;
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const at = line.indexOf(':');
      if (at > 0 && line.slice(0, at).trim().toLowerCase() === name) return line.slice(at + 1).trim();
    }
    return undefined;
  }
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    }
    return undefined;
  }
  return headers?.[name];
}
