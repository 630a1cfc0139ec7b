import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pprofHandler, refusal } from 'vigil/profiler';

/** A profile source that answers with fixed bytes and remembers what it was asked. */
function recordingSource() {
  const asked: number[] = [];
  return {
    asked,
    captureCpu: async (seconds: number) => {
      asked.push(seconds);
      return Buffer.from(`cpu ${seconds}`);
    },
    captureHeap: async () => Buffer.from('heap'),
  };
}

function serve(handler: ReturnType<typeof pprofHandler>): Promise<Server> {
  const server = createServer((request, response) => void handler(request, response));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server, path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

describe('pprof endpoints', () => {
  const source = recordingSource();
  let withToken: Server;
  let loopbackOnly: Server;
  before(async () => {
    withToken = await serve(pprofHandler(source, { token: 's3cret' }));
    loopbackOnly = await serve(pprofHandler(source, { token: undefined }));
  });
  after(() => {
    withToken.close();
    loopbackOnly.close();
  });

  it('refuses a request without the token, or with a wrong one, when a token is set', async () => {
    const none = await fetch(urlOf(withToken, '/debug/pprof/heap'));
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const wrong = await fetch(urlOf(withToken, '/debug/pprof/heap'), { headers: { authorization: 'Bearer s3creT' } });
    assert.equal(wrong.status, 401);
  });

  it('serves the profile with the right token', async () => {
    const response = await fetch(urlOf(withToken, '/debug/pprof/profile?seconds=2'), { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.equal(await response.text(), 'cpu 2');
  });

  it('answers loopback clients without a token when none is set', async () => {
    const response = await fetch(urlOf(loopbackOnly, '/debug/pprof/heap'));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'heap');
  });

  it('defaults to 30 seconds as Go does, and refuses a malformed duration', async () => {
    await (await fetch(urlOf(loopbackOnly, '/debug/pprof/profile'))).arrayBuffer();
    assert.equal(source.asked.at(-1), 30);
    assert.equal((await fetch(urlOf(loopbackOnly, '/debug/pprof/profile?seconds=abc'))).status, 400);
    assert.equal((await fetch(urlOf(loopbackOnly, '/debug/pprof/profile?seconds=301'))).status, 400);
    assert.equal((await fetch(urlOf(loopbackOnly, '/debug/pprof/goroutine'))).status, 404);
  });
});

describe('who may read profiles', () => {
  const from = (remoteAddress: string, authorization?: string) =>
    ({ socket: { remoteAddress }, headers: authorization === undefined ? {} : { authorization } }) as unknown as Parameters<typeof refusal>[0];

  it('without a token: loopback in IPv4, IPv6 and mapped form only', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) assert.equal(refusal(from(address), { token: undefined }), undefined, address);
    for (const address of ['10.0.0.7', '192.168.1.2', '::ffff:10.0.0.7', 'fe80::1']) assert.equal(refusal(from(address), { token: undefined })?.status, 403, address);
  });

  it('with a token: any address that presents it, none that does not', () => {
    assert.equal(refusal(from('10.0.0.7', 'Bearer t'), { token: 't' }), undefined);
    assert.equal(refusal(from('127.0.0.1'), { token: 't' })?.status, 401);
  });
});
