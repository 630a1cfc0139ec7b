import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** The part of the profiler the endpoints use. */
export interface ProfileSource {
  captureCpu(seconds: number, signal: AbortSignal): Promise<Buffer>;
  captureHeap(): Promise<Buffer>;
}

export interface PprofAccess {
  /** When set, requests need `Authorization: Bearer <token>`; when not, only loopback clients are answered. */
  readonly token: string | undefined;
}

const DEFAULT_SECONDS = 30;
const MAX_SECONDS = 300;

/** The status and message refusing `request`, or undefined when it may go through. */
export function refusal(request: IncomingMessage, access: PprofAccess): { status: number; message: string } | undefined {
  if (access.token !== undefined) {
    const header = request.headers.authorization ?? '';
    const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    const expected = Buffer.from(access.token);
    const ok = presented.length === expected.length && timingSafeEqual(presented, expected);
    return ok ? undefined : { status: 401, message: 'a bearer token is required' };
  }
  return isLoopback(request.socket.remoteAddress) ? undefined : { status: 403, message: 'profiles are served to loopback clients only; set a token to allow others' };
}

export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/**
 * Go-compatible pprof endpoints, so Parca- or Conprof-style scrapers can pull profiles:
 * GET <prefix>profile?seconds=N (CPU, default 30 s) and GET <prefix>heap, both gzipped protobuf.
 */
export function pprofHandler(source: ProfileSource, access: PprofAccess, prefix = '/debug/pprof/') {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const denied = refusal(request, access);
    if (denied !== undefined) {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (denied.status === 401) headers['www-authenticate'] = 'Bearer';
      response.writeHead(denied.status, headers).end(`${denied.message}\n`);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const name = url.pathname.slice(prefix.length);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('method not allowed\n');
      return;
    }
    if (name === '') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('profile?seconds=N  CPU (wall-time) profile\nheap  heap sampling profile\n');
      return;
    }
    if (name === 'heap') {
      sendProfile(response, await source.captureHeap(), 'heap');
      return;
    }
    if (name === 'profile') {
      const seconds = parseSeconds(url.searchParams.get('seconds'));
      if (seconds === undefined) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`seconds must be an integer from 1 to ${MAX_SECONDS}\n`);
        return;
      }
      // A scraper that hangs up early gets no profile, and the profiler stops sampling for it.
      const gone = new AbortController();
      response.on('close', () => gone.abort());
      sendProfile(response, await source.captureCpu(seconds, gone.signal), 'profile');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`unknown profile ${JSON.stringify(name)}; try profile or heap\n`);
  };
}

function parseSeconds(raw: string | null): number | undefined {
  if (raw === null || raw === '') return DEFAULT_SECONDS;
  const seconds = Number(raw);
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_SECONDS ? seconds : undefined;
}

function sendProfile(response: ServerResponse, data: Buffer, name: string): void {
  if (response.destroyed) return;
  response
    .writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${name}"`,
      'content-length': String(data.length),
    })
    .end(data);
}
