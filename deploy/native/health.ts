import { connect } from 'node:net';

/** True when `url` answers with a 2xx status within two seconds. */
export async function httpOk(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * True when a Kafka broker answers an ApiVersions request without error. Kafka opens its client
 * listener only once the broker has joined the cluster, so this means "ready for clients".
 */
export function kafkaAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const clientId = Buffer.from('vigil-stack');
    // Request header v1: api_key 18 (ApiVersions), api_version 0, correlation_id, client_id.
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
    body.writeInt16BE(18, 0);
    body.writeInt16BE(0, 2);
    body.writeInt32BE(1, 4);
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);

    let received = Buffer.alloc(0);
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(Buffer.concat([size, body])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Response: size, correlation_id, error_code.
      if (received.length >= 10) finish(received.readInt32BE(4) === 1 && received.readInt16BE(8) === 0);
    });
  });
}
