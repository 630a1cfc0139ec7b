import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { PyroscopePusher, type PushDropReason } from '../../../dist/profiler/push.js';

const identity = { service: 'songs', version: '1.2.3', environment: 'test', tier: 2 };
const profile = { kind: 'cpu' as const, startedAt: new Date('2026-01-01T00:00:00Z'), endedAt: new Date('2026-01-01T00:00:10Z'), data: Buffer.from('pprof bytes') };

interface Received {
  readonly url: URL;
  readonly contentType: string;
  readonly body: string;
}

/** An ingest endpoint answering with the given statuses in turn, then 200. */
async function ingest(statuses: number[]): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ url: new URL(request.url!, 'http://x'), contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString() });
    response.writeHead(statuses.shift() ?? 200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const servers: Server[] = [];
after(() => servers.forEach((server) => server.close()));

function events() {
  const dropped: PushDropReason[] = [];
  const health: (string | undefined)[] = [];
  return { dropped, health, sink: { dropped: (reason: PushDropReason) => dropped.push(reason), health: (error: string | undefined) => health.push(error) } };
}

/** Pushes one profile to an ingest endpoint answering `statuses`, and waits for it to settle. */
async function pushOne(statuses: number[], flushMs: number) {
  const { server, url, received } = await ingest(statuses);
  servers.push(server);
  const seen = events();
  const pusher = new PyroscopePusher(url, identity, seen.sink);
  pusher.push(profile);
  await pusher.flush(AbortSignal.timeout(flushMs));
  return { received, seen };
}

describe('Pyroscope push', () => {
  it('posts the pprof as multipart field "profile", named by service with identity tags and its time range', async () => {
    const { received, seen } = await pushOne([], 5000);
    assert.equal(received.length, 1);
    const [request] = received;
    assert.equal(request!.url.pathname, '/ingest');
    assert.equal(request!.url.searchParams.get('name'), 'songs.cpu{environment=test,version=1.2.3,tier=2}');
    assert.equal(request!.url.searchParams.get('from'), '1767225600');
    assert.equal(request!.url.searchParams.get('until'), '1767225610');
    assert.equal(request!.url.searchParams.get('format'), 'pprof');
    assert.match(request!.contentType, /^multipart\/form-data; boundary=/);
    assert.match(request!.body, /name="profile"; filename="profile.pprof"[\s\S]*pprof bytes/);
    assert.deepEqual(seen.dropped, []);
  });

  it('retries a server error with backoff, and reports when pushing works again', async () => {
    const { received, seen } = await pushOne([503], 10_000);
    assert.equal(received.length, 2);
    assert.deepEqual(seen.health, ['HTTP 503', undefined]);
    assert.deepEqual(seen.dropped, []);
  });

  it('drops and counts a profile the server refuses outright', async () => {
    const { seen } = await pushOne([400], 5000);
    assert.deepEqual(seen.dropped, ['rejected']);
  });

  it('counts what is still queued at shutdown when the server is down', async () => {
    const seen = events();
    const pusher = new PyroscopePusher('http://127.0.0.1:9', identity, seen.sink);
    pusher.push(profile);
    pusher.push(profile);
    await pusher.flush(AbortSignal.timeout(300));
    assert.deepEqual(seen.dropped, ['shutdown', 'shutdown']);
  });
});
