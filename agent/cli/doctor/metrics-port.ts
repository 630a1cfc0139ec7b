import { createServer } from 'node:net';
import type { VigilConfig } from '../../config/options';
import { fail, off, ok, type Check } from './check';

/** The agent serves /metrics and /debug/pprof on this port; another process holding it would keep them dark. */
export function metricsPortCheck(config: VigilConfig): Check {
  const { host, port } = config.metrics;
  return {
    name: 'metrics port',
    run: () =>
      new Promise((resolve) => {
        if (port === 0) {
          resolve(off('metrics server off (VIGIL_METRICS_PORT=0): Prometheus has nothing to scrape'));
          return;
        }
        const server = createServer();
        server.once('error', (error: NodeJS.ErrnoException) => {
          const why = error.code === 'EADDRINUSE'
            ? 'another process already listens there: stop it, or give this service another VIGIL_METRICS_PORT'
            : error.code === 'EACCES'
              ? 'this user may not bind it: choose a port above 1023 in VIGIL_METRICS_PORT'
              : `${error.code ?? error.message}: check VIGIL_METRICS_HOST`;
          resolve(fail(`${host}:${port} cannot be used: ${why}`));
        });
        server.listen(port, host, () => server.close(() => resolve(ok(`${host}:${port} is free for /metrics and /debug/pprof`))));
      }),
  };
}
