/**
 * A local stand-in for every agent's backend (OTLP receivers, the Datadog agent, the Elastic APM
 * server): it accepts every request and datagram, counts the bytes and discards them, so each agent
 * pays its full export cost and nothing else. It runs in a process of its own: in the process that
 * drives the load, the receiving would hold up autocannon's event loop and be charged to whichever
 * variant sends the most.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiscardingSink {
  /** Base URL of the HTTP side. */
  readonly url: string;
  /** UDP port of the DogStatsD side. */
  readonly statsdPort: number;
  /** Bytes received so far, HTTP bodies and datagrams together. */
  receivedBytes(): Promise<number>;
  close(): Promise<void>;
}

type SinkMessage = { listening: { httpPort: number; statsdPort: number } } | { receivedBytes: number };

export async function startDiscardingSink(): Promise<DiscardingSink> {
  const child: ChildProcess = fork(__filename, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<SinkMessage>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the discarding sink exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        resolve(message as SinkMessage);
      });
    });
  const started = await next();
  if (!('listening' in started)) throw new Error('the discarding sink did not report its ports');
  const { httpPort, statsdPort } = started.listening;
  const receivedBytes = async () => {
    const reply = next();
    child.send('receivedBytes');
    const message = await reply;
    return 'receivedBytes' in message ? message.receivedBytes : 0;
  };
  return {
    url: `http://127.0.0.1:${httpPort}`,
    statsdPort,
    receivedBytes,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

/**
 * The answers agents check before they go on sending: the APM server's version (elastic-apm-node
 * reads it at start) and the Datadog agent's sampling rates; everything else gets an empty object.
 */
function answer(request: IncomingMessage, response: ServerResponse): void {
  if (request.headers['content-type']?.includes('protobuf') === true) {
    // OTLP/HTTP with protobuf: an empty ExportTraceServiceResponse is a full success.
    response.writeHead(200, { 'content-type': 'application/x-protobuf' });
    response.end();
    return;
  }
  const body = request.method === 'GET' && request.url === '/' ? '{"version":"8.15.0"}' : request.url?.startsWith('/v0.4/traces') ? '{"rate_by_service":{}}' : '{}';
  response.writeHead(request.method === 'POST' && request.url?.startsWith('/intake/') ? 202 : 200, { 'content-type': 'application/json' });
  response.end(body);
}

function serve(): void {
  let bytes = 0;
  const http = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => answer(request, response));
  });
  const udp = createSocket('udp4');
  udp.on('message', (datagram) => (bytes += datagram.length));
  process.on('message', () => process.send?.({ receivedBytes: bytes } satisfies SinkMessage));
  http.listen(0, '127.0.0.1', () => {
    udp.bind(0, '127.0.0.1', () => {
      const listening = { httpPort: (http.address() as AddressInfo).port, statsdPort: udp.address().port };
      process.send?.({ listening } satisfies SinkMessage);
    });
  });
}

if (require.main === module) serve();
