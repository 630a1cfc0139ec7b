import assert from 'node:assert/strict';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, context, createContextKey, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { RPCType, W3CTraceContextPropagator, getRPCMetadata } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { traceHttpClients } from '../../../dist/agent/tracing/http-client-spans.js';
import { ContextWithSpan } from '../../../dist/agent/tracing/context-with-span.js';
import { traceHttpServers } from '../../../dist/agent/tracing/http-server-spans.js';
import { HttpSpanStarter } from '../../../dist/agent/tracing/http-span.js';
import { PooledIdGenerator } from '../../../dist/agent/tracing/id-generator.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Real node:http traffic through Vigil's diagnostics-channel spans, into an in-memory exporter. */
describe('http spans from diagnostics channels', () => {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const processors = [new SimpleSpanProcessor(exporter)];
  const provider = new BasicTracerProvider({ spanProcessors: processors });
  const tracer = provider.getTracer('test');
  const spans = new HttpSpanStarter({ resource: resourceFromAttributes({}), scope: { name: 'test' }, sampler: new AlwaysOnSampler(), idGenerator: new PooledIdGenerator(), processors });
  let server: Server;
  let port: number;
  let stopServerSpans: () => void;
  let stopClientSpans: () => void;
  const seenTraceparent: (string | undefined)[] = [];

  before(async () => {
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    stopServerSpans = traceHttpServers({ spans, enter: (active) => contextManager.attach(active), ignoreServer: () => false }).stop;
    stopClientSpans = traceHttpClients(spans);
    server = createServer((request, response) => {
      seenTraceparent.push(request.headers.traceparent as string | undefined);
      if (request.url === '/hang') return; // never answers: the client gives up
      response.writeHead(request.url?.startsWith('/fail') === true ? 503 : 200);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    stopServerSpans();
    stopClientSpans();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    context.disable();
    propagation.disable();
  });

  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      }).on('error', reject).end();
    });

  it('links the client span of a call to the server span it reaches, and records both statuses', async () => {
    exporter.reset();
    seenTraceparent.length = 0;
    const parent = tracer.startSpan('caller');
    const status = await context.with(trace.setSpan(context.active(), parent), () => get('/fail?token=secret'));
    parent.end();
    assert.equal(status, 503);
    const spans = exporter.getFinishedSpans();
    const client = spans.find((span) => span.kind === 2 /* CLIENT */)!;
    const server = spans.find((span) => span.kind === 1 /* SERVER */)!;
    assert.ok(client && server, spans.map((span) => span.name).join());
    assert.equal(client.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId);
    assert.equal(server.spanContext().traceId, parent.spanContext().traceId);
    assert.match(seenTraceparent[0]!, new RegExp(client.spanContext().spanId));
    assert.equal(client.attributes['http.response.status_code'], 503);
    assert.equal(client.attributes['url.full'], `http://127.0.0.1:${port}/fail`, 'no query string');
    assert.equal(server.attributes['http.response.status_code'], 503);
    assert.equal(server.attributes['error.type'], '503');
  });

  it('ends the server span of a request the client abandoned as aborted', async () => {
    exporter.reset();
    seenTraceparent.length = 0;
    const abandoned = httpRequest({ host: '127.0.0.1', port, path: '/hang' });
    abandoned.on('error', () => {});
    abandoned.end();
    while (seenTraceparent.length === 0) await sleep(20);
    abandoned.destroy();
    const serverSpan = () => exporter.getFinishedSpans().find((span) => span.kind === 1);
    for (let waited = 0; serverSpan() === undefined && waited < 3000; waited += 50) await sleep(50);
    assert.equal(serverSpan()?.attributes['error.type'], 'aborted');
  });
});

describe('ContextWithSpan', () => {
  const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
  const metadata = { type: RPCType.HTTP, span } as const;
  const key = createContextKey('test key');

  it('answers for the span and the RPC metadata as the API would, and keeps them in contexts derived from it', () => {
    const parent = ROOT_CONTEXT.setValue(key, 'from the parent');
    const requestContext = new ContextWithSpan(parent, span, metadata);
    assert.equal(trace.getSpan(requestContext), span);
    assert.equal(getRPCMetadata(requestContext), metadata);
    assert.equal(requestContext.getValue(key), 'from the parent');

    const derived = requestContext.setValue(key, 'from the handler');
    assert.equal(trace.getSpan(derived), span);
    assert.equal(getRPCMetadata(derived), metadata);
    assert.equal(derived.getValue(key), 'from the handler');
    assert.equal(trace.getSpan(trace.deleteSpan(requestContext)), undefined);
  });

  it('without metadata of its own, replaces only the span and leaves the parent\'s metadata', () => {
    const child = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 });
    const withChild = new ContextWithSpan(new ContextWithSpan(ROOT_CONTEXT.setValue(key, 'from the parent'), span, metadata), child);
    assert.equal(trace.getSpan(withChild), child);
    assert.equal(getRPCMetadata(withChild), metadata);
    assert.equal(withChild.getValue(key), 'from the parent');
    const carrier: Record<string, string> = {};
    new W3CTraceContextPropagator().inject(withChild, carrier, { set: (target, name, value) => (target[name] = value) });
    assert.equal(carrier.traceparent, '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01');
    assert.equal(getRPCMetadata(withChild.setValue(key, 'derived')), metadata);
  });
});
