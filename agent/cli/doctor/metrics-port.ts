import { createServer } from 'node:net';
import type { VigilConfig } from '../../config/options';
import { fail, off, ok, type Check } from './check';

function tryListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** The service name a Vigil agent on `host:port` reports, when that is what holds the port. */
async function agentOn(host: string, port: number, signal: AbortSignal): Promise<string | undefined> {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  try {
    // Whatever holds the port may not speak HTTP at all: wait briefly, not the whole check.
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(1000)]);
    const response = await fetch(`http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`, { signal: deadline });
    const text = await response.text();
    return /^vigil_service_info\{[^}]*\bservice="([^"]*)"/m.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** The agent serves /metrics and /debug/pprof on this port; another process holding it would keep them dark. */
export function metricsPortCheck(config: VigilConfig): Check {
  const { host, port } = config.metrics;
  return {
    name: 'metrics port',
    async run(signal) {
      if (port === 0) return off('metrics server off (VIGIL_METRICS_PORT=0): Prometheus has nothing to scrape');
      const error = await tryListen(host, port);
      if (error === undefined) return ok(`${host}:${port} is free for /metrics and /debug/pprof`);
      if (error.code === 'EADDRINUSE') {
        const service = await agentOn(host, port, signal);
        const holder = service === undefined ? 'another process already listens there' : `a running Vigil agent of service ${service} already listens there`;
        return fail(`${host}:${port} cannot be used: ${holder}: stop it, or give this service another VIGIL_METRICS_PORT`);
      }
      if (error.code === 'EACCES') return fail(`${host}:${port} cannot be used: this user may not bind it: choose a port above 1023 in VIGIL_METRICS_PORT`);
      return fail(`${host}:${port} cannot be used: ${error.code ?? error.message}: check VIGIL_METRICS_HOST`);
    },
  };
}
