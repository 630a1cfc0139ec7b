import type { ClientRequest } from 'node:http';

/** The server address and port of an outbound node:http request, as its Host header names them. */
export function serverOf(request: ClientRequest): [string, string] {
  return splitHost(String(request.getHeader('host') ?? request.host ?? ''), request.protocol);
}

function splitHost(host: string, protocol: string | undefined): [string, string] {
  const at = host.lastIndexOf(':');
  if (at > 0 && !host.endsWith(']')) return [host.slice(0, at), host.slice(at + 1)];
  return [host, protocol === 'https:' ? '443' : '80'];
}
