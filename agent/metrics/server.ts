import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Diag } from '../diag';
import { ErrorCodes } from '../errors';
import type { MetricsRegistry } from './registry';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/**
 * The agent's HTTP endpoint: /metrics, /healthz, and whatever other components mount under their
 * own prefix (the profiler's /debug/pprof/). It never keeps the host process alive by itself.
 */
export class MetricsServer {
  readonly server: Server;
  private readonly prefixes = new Map<string, RouteHandler>();
  private readonly listening: Promise<boolean>;

  constructor(
    private readonly registry: MetricsRegistry,
    host: string,
    port: number,
    diag: Diag,
  ) {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 30_000;
    this.listening = new Promise((resolve) => {
      this.server.once('listening', () => resolve(true));
      this.server.once('error', (error: NodeJS.ErrnoException) => {
        diag.warn(`${ErrorCodes.METRICS_LISTEN}: metrics server could not listen on ${host}:${port} (${error.code ?? error.message}); metrics are not served`);
        resolve(false);
      });
    });
    this.server.listen(port, host);
    this.server.unref();
  }

  /** Resolves to the bound port once listening, or undefined when listening failed. */
  async port(): Promise<number | undefined> {
    if (!(await this.listening)) return undefined;
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : undefined;
  }

  /** Serves every path under `prefix` (for example "/debug/pprof/") with `handler`. */
  mount(prefix: string, handler: RouteHandler): void {
    this.prefixes.set(prefix, handler);
  }

  async close(): Promise<void> {
    if (!(await this.listening)) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    try {
      if (path === '/metrics') {
        const { contentType, body } = await this.registry.render(request.headers.accept);
        response.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      if (path === '/healthz') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      for (const [prefix, handler] of this.prefixes) {
        if (path?.startsWith(prefix)) {
          await handler(request, response);
          return;
        }
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`${(error as Error).message}\n`);
    }
  }
}
