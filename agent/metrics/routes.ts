import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { UNMATCHED_ROUTE } from './names';

interface FastifyHandlerStore {
  request?: { raw?: IncomingMessage };
  route?: { url?: string };
  error?: unknown;
}

interface ExpressRequest extends IncomingMessage {
  baseUrl?: unknown;
  route?: { path?: unknown };
}

/**
 * What a framework told us about a request while handling it, kept on the request itself: a
 * property costs a fraction of a WeakMap entry, which needs an identity hash and an ephemeron per
 * request.
 */
const FRAMEWORK_ROUTE = Symbol('vigil.frameworkRoute');
const FRAMEWORK_ERROR_TYPE = Symbol('vigil.frameworkErrorType');

interface RequestWithFacts extends IncomingMessage {
  [FRAMEWORK_ROUTE]?: string;
  [FRAMEWORK_ERROR_TYPE]?: string;
}

const FASTIFY_HANDLER_START = 'tracing:fastify.request.handler:start';
const FASTIFY_HANDLER_ERROR = 'tracing:fastify.request.handler:error';

/**
 * Finds the route template of a request: from Fastify's diagnostics channel, from Express's
 * `req.route`, or from the configured templates for plain node:http. Anything else is unmatched,
 * so raw paths never become label values.
 */
export class RouteResolver {
  private readonly templates: readonly { template: string; pattern: RegExp }[];

  private readonly onFastifyStart = (message: unknown) => {
    const store = message as FastifyHandlerStore;
    const raw = store.request?.raw;
    if (raw !== undefined && typeof store.route?.url === 'string') (raw as RequestWithFacts)[FRAMEWORK_ROUTE] = store.route.url;
  };

  private readonly onFastifyError = (message: unknown) => {
    const store = message as FastifyHandlerStore;
    const raw = store.request?.raw;
    if (raw !== undefined && store.error instanceof Error) (raw as RequestWithFacts)[FRAMEWORK_ERROR_TYPE] = store.error.name;
  };

  constructor(templates: readonly string[]) {
    this.templates = templates.map((template) => ({ template, pattern: compileTemplate(template) }));
    diagnostics.subscribe(FASTIFY_HANDLER_START, this.onFastifyStart);
    diagnostics.subscribe(FASTIFY_HANDLER_ERROR, this.onFastifyError);
  }

  route(request: IncomingMessage): string {
    const fromFramework = (request as RequestWithFacts)[FRAMEWORK_ROUTE];
    if (fromFramework !== undefined) return fromFramework;
    const express = request as ExpressRequest;
    const expressPath = express.route?.path;
    if (typeof expressPath === 'string') {
      return (typeof express.baseUrl === 'string' ? express.baseUrl : '') + expressPath;
    }
    if (this.templates.length > 0) {
      const path = pathOf(request.url);
      for (const { template, pattern } of this.templates) if (pattern.test(path)) return template;
    }
    return UNMATCHED_ROUTE;
  }

  /** The error class a framework saw thrown by the handler, if any. */
  errorType(request: IncomingMessage): string | undefined {
    return (request as RequestWithFacts)[FRAMEWORK_ERROR_TYPE];
  }

  close(): void {
    diagnostics.unsubscribe(FASTIFY_HANDLER_START, this.onFastifyStart);
    diagnostics.unsubscribe(FASTIFY_HANDLER_ERROR, this.onFastifyError);
  }
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** `/songs/:id` matches one segment per parameter; `*` matches the rest of the path. */
export function compileTemplate(template: string): RegExp {
  const body = template
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment === '*') return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${body}/?$`);
}
