import type { Context, Span } from '@opentelemetry/api';
import type { RPCMetadata } from '@opentelemetry/core';
import { setRPCMetadata, trace } from '../otel-api';

// The API's own keys: it makes them with Symbol.for so that every copy of the API shares them.
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const RPC_METADATA_KEY = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

/**
 * A context that is its parent plus a span (and, for a server request, the RPC metadata through
 * which Express and Fastify name the route). Setting them through the API would copy the
 * parent's entries into a new map, and build a context with three closures, once for each value
 * and request; this reads them from fields and makes the copy only if someone derives a context
 * of their own from it.
 */
export class ContextWithSpan implements Context {
  constructor(
    private readonly parent: Context,
    private readonly span: Span,
    private readonly metadata?: RPCMetadata,
  ) {}

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.span;
    if (key === RPC_METADATA_KEY && this.metadata !== undefined) return this.metadata;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.copy().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.copy().deleteValue(key);
  }

  private copy(): Context {
    const withSpan = trace.setSpan(this.parent, this.span);
    return this.metadata === undefined ? withSpan : setRPCMetadata(withSpan, this.metadata);
  }
}
