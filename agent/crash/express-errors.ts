import type { IncomingMessage } from 'node:http';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';

type Handle = (this: unknown, request: IncomingMessage, response: unknown, callback?: unknown) => unknown;
interface RouterClass {
  prototype: { handle: Handle };
}
interface ExpressExports {
  Router?: RouterClass;
  default?: { Router?: RouterClass };
}

/** Express 5 passes these to `next` to leave a route or a router; they are not errors. */
const NOT_ERRORS = new Set<unknown>([undefined, null, 'route', 'router']);

/**
 * Tells which error Express handled for a request. Express catches what a route throws or passes to
 * `next`, answers 500 through its final handler, and keeps the error to itself; the router's
 * `handle` is the one place every such error passes on its way there. Patched through
 * OpenTelemetry's instrumentation loader, so CommonJS and ESM imports are both seen and nothing is
 * patched twice; no spans are made here.
 */
export class ExpressErrorInstrumentation extends InstrumentationBase {
  private onError: (request: IncomingMessage, error: unknown) => void = () => {};
  private readonly patched = new Set<RouterClass['prototype']>();

  constructor(onError: (request: IncomingMessage, error: unknown) => void) {
    super('vigil-express-errors', '1.0.0', {});
    this.onError = onError;
  }

  protected override init() {
    return new InstrumentationNodeModuleDefinition(
      'express',
      ['>=5 <6'],
      (exports: ExpressExports) => {
        this.patch(exports);
        return exports;
      },
      (exports: ExpressExports) => {
        const router = routerOf(exports);
        if (router !== undefined && isWrapped(router.prototype.handle)) this._unwrap(router.prototype, 'handle');
      },
    );
  }

  override disable(): void {
    super.disable();
    for (const prototype of this.patched) if (isWrapped(prototype.handle)) this._unwrap(prototype, 'handle');
    this.patched.clear();
  }

  /** Patches copies of Express that were required before the agent started, found in the require cache. */
  patchLoaded(loadedFiles: readonly string[]): void {
    for (const file of loadedFiles) {
      if (!file.replaceAll('\\', '/').endsWith('/node_modules/express/index.js')) continue;
      this.patch(require.cache[file]?.exports as ExpressExports | undefined);
    }
  }

  private patch(exports: ExpressExports | undefined): void {
    const router = exports === undefined ? undefined : routerOf(exports);
    if (router === undefined || isWrapped(router.prototype.handle)) return;
    const report = (request: IncomingMessage, error: unknown) => {
      try {
        this.onError(request, error);
      } catch {
        // Crash capture must not change how the service answers.
      }
    };
    this.patched.add(router.prototype);
    this._wrap(router.prototype, 'handle', (original: Handle): Handle =>
      function handle(this: unknown, request, response, callback) {
        if (typeof callback !== 'function') return original.call(this, request, response, callback);
        const done = function (this: unknown, ...args: unknown[]) {
          if (!NOT_ERRORS.has(args[0])) report(request, args[0]);
          return (callback as (...a: unknown[]) => unknown).apply(this, args);
        };
        return original.call(this, request, response, done);
      },
    );
  }
}

function routerOf(exports: ExpressExports): RouterClass | undefined {
  const router = exports.Router ?? exports.default?.Router;
  return typeof router?.prototype?.handle === 'function' ? router : undefined;
}
