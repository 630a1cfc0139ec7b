/**
 * A local stand-in for every agent's backend (the Datadog agent, the Elastic APM server, OTLP
 * receivers): it accepts every request and datagram, counts the bytes and discards them, so each
 * agent pays its full export cost and nothing else, and no backend competes with the service for
 * the machine's cores.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { freePort } from '../support/harness';

export interface DiscardingSink {
  /** Base URL of the HTTP side. */
  readonly url: string;
  /** UDP port of the DogStatsD side. */
  readonly statsdPort: number;
  /** Bytes received so far, HTTP bodies and datagrams together. */
  receivedBytes(): number;
  close(): Promise<void>;
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

export async function startDiscardingSink(): Promise<DiscardingSink> {
  let bytes = 0;
  const http = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => answer(request, response));
  });
  const httpPort = await freePort();
  await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));
  const udp: Socket = createSocket('udp4');
  udp.on('message', (datagram) => (bytes += datagram.length));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${httpPort}`,
    statsdPort: udp.address().port,
    receivedBytes: () => bytes,
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
