// A real HTTP server in the place of Sentry's ingest endpoint: it takes envelopes as Sentry does
// (POST /api/<project>/envelope/, key in X-Sentry-Auth or the query, body gzip-compressed or not),
// parses the envelope protocol, and records every item, so tests can check what left the process.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface EnvelopeItem {
  /** The item header: `type`, `length`, and for attachments `filename` and `content_type`. */
  readonly headers: Readonly<Record<string, unknown>>;
  readonly payload: Buffer;
}

export interface Envelope {
  readonly headers: Readonly<Record<string, unknown>>;
  readonly items: readonly EnvelopeItem[];
}

export interface ReceivedEnvelope extends Envelope {
  readonly projectId: string;
  readonly publicKey: string | undefined;
  /** Date.now() when the last byte arrived. */
  readonly receivedAt: number;
}

/** The parts of a Sentry event the tests look at. */
export interface SentryEvent {
  readonly event_id: string;
  readonly level?: string;
  readonly message?: string | { formatted?: string; message?: string };
  readonly transaction?: string;
  readonly environment?: string;
  readonly release?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly contexts?: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>> & { trace?: { trace_id?: string; span_id?: string } };
  readonly request?: { method?: string; url?: string; headers?: Readonly<Record<string, string>>; cookies?: unknown; query_string?: unknown };
  readonly breadcrumbs?: readonly { message?: string; category?: string; level?: string; data?: Readonly<Record<string, unknown>> }[];
  readonly exception?: { values?: readonly { type?: string; value?: string; mechanism?: { type?: string; handled?: boolean } }[] };
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface ReceivedEvent {
  readonly event: SentryEvent;
  readonly attachments: readonly { filename: string; contentType: string | undefined; payload: Buffer }[];
  readonly receivedAt: number;
  /** The whole envelope as it arrived (decompressed), for checks on everything that was sent. */
  readonly raw: Buffer;
}

export interface SentryIngest {
  /** A DSN that sends to this server. */
  readonly dsn: string;
  readonly publicKey: string;
  envelopes(): readonly ReceivedEnvelope[];
  events(): readonly ReceivedEvent[];
  /** Resolves once `count` events have arrived (with all of them), or fails after `timeoutMs`. */
  waitForEvents(count: number, timeoutMs?: number): Promise<readonly ReceivedEvent[]>;
  stop(): Promise<void>;
}

/** Parses a Sentry envelope: a JSON header line, then items, each a JSON header line and a payload. */
export function parseEnvelope(body: Buffer): Envelope {
  let position = 0;
  const readLine = (): Buffer => {
    const end = body.indexOf(0x0a, position);
    const line = body.subarray(position, end === -1 ? body.length : end);
    position = end === -1 ? body.length : end + 1;
    return line;
  };
  const headers = JSON.parse(readLine().toString('utf8')) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  while (position < body.length) {
    const headerLine = readLine();
    if (headerLine.length === 0) continue;
    const itemHeaders = JSON.parse(headerLine.toString('utf8')) as Record<string, unknown>;
    let payload: Buffer;
    if (typeof itemHeaders.length === 'number') {
      payload = body.subarray(position, position + itemHeaders.length);
      if (payload.length !== itemHeaders.length) throw new Error(`item of type ${String(itemHeaders.type)} is cut short: ${payload.length} of ${itemHeaders.length} bytes`);
      position += itemHeaders.length;
      if (body[position] === 0x0a) position++;
    } else {
      payload = readLine();
    }
    items.push({ headers: itemHeaders, payload });
  }
  return { headers, items };
}

function decode(request: IncomingMessage, body: Buffer): Buffer {
  switch (request.headers['content-encoding']) {
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function publicKeyOf(request: IncomingMessage, url: URL): string | undefined {
  const auth = request.headers['x-sentry-auth'];
  const fromHeader = typeof auth === 'string' ? /sentry_key=([^,\s]+)/.exec(auth)?.[1] : undefined;
  return fromHeader ?? url.searchParams.get('sentry_key') ?? undefined;
}

export interface IngestOptions {
  /** The key its DSN carries and it accepts. */
  readonly publicKey?: string;
  readonly projectId?: string;
  /** A fixed port, to come back where a stopped one was; a free one by default. */
  readonly port?: number;
}

/** Starts the ingest server on the loopback interface. */
export async function startSentryIngest({ publicKey = 'vigiltestkey', projectId = '7', port: fixedPort = 0 }: IngestOptions = {}): Promise<SentryIngest> {
  const received: ReceivedEnvelope[] = [];
  const events: ReceivedEvent[] = [];
  const waiters = new Set<() => void>();

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://ingest');
      const match = /^\/api\/([^/]+)\/envelope\/?$/.exec(url.pathname);
      if (request.method !== 'POST' || match === null) return answer(response, 404, { detail: 'not an envelope endpoint' });
      const key = publicKeyOf(request, url);
      if (key !== publicKey || match[1] !== projectId) return answer(response, 401, { detail: 'unknown project or key' });
      let raw: Buffer;
      let envelope: Envelope;
      try {
        raw = decode(request, Buffer.concat(chunks));
        envelope = parseEnvelope(raw);
      } catch (error) {
        return answer(response, 400, { detail: `malformed envelope: ${(error as Error).message}` });
      }
      const receivedAt = Date.now();
      received.push({ ...envelope, projectId: match[1], publicKey: key, receivedAt });
      const eventItem = envelope.items.find((item) => item.headers.type === 'event');
      if (eventItem !== undefined) {
        const attachments = envelope.items
          .filter((item) => item.headers.type === 'attachment')
          .map((item) => ({
            filename: String(item.headers.filename),
            contentType: typeof item.headers.content_type === 'string' ? item.headers.content_type : undefined,
            payload: item.payload,
          }));
        events.push({ event: JSON.parse(eventItem.payload.toString('utf8')) as SentryEvent, attachments, receivedAt, raw });
        for (const wake of waiters) wake();
      }
      answer(response, 200, { id: envelope.headers.event_id ?? null });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(fixedPort, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    dsn: `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    publicKey,
    envelopes: () => received,
    events: () => events,
    waitForEvents(count, timeoutMs = 15_000) {
      if (events.length >= count) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} Sentry events within ${timeoutMs} ms, got ${events.length}`));
        }, timeoutMs);
        const check = () => {
          if (events.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(events);
        };
        waiters.add(check);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
