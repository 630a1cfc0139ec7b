import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { useJaeger } from '../../support/jaeger.mts';

interface JaegerTrace {
  traceID: string;
  spans: { operationName: string; processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

/** Ends one span through `exporter` and returns its trace id. */
async function sendSpan(exporter: SpanExporter, service: string, operation: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('vigil-stack-smoke').startSpan(operation);
  const { traceId } = span.spanContext();
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return traceId;
}

/** Polls Jaeger's query API until the trace is there (ingestion is asynchronous). */
async function fetchTrace(queryUrl: string, traceId: string): Promise<JaegerTrace> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
    const body = (await response.json()) as { data?: JaegerTrace[] };
    const trace = body.data?.[0];
    if (response.ok && trace) return trace;
    last = `${response.status} ${JSON.stringify(body).slice(0, 200)}`;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`trace ${traceId} not found through the query API within 30 s (${last})`);
}

test('a span sent by OTLP/HTTP is retrieved by trace id through the query API', async () => {
  const jaeger = await useJaeger();
  const operation = `otlp-${randomUUID()}`;
  const traceId = await sendSpan(new OTLPTraceExporter({ url: `${jaeger.otlpHttpUrl}/v1/traces` }), 'smoke-otlp', operation);
  const trace = await fetchTrace(jaeger.queryUrl, traceId);
  assert.equal(trace.traceID, traceId);
  assert.deepEqual(trace.spans.map((span) => span.operationName), [operation]);
  assert.equal(trace.processes[trace.spans[0]?.processID ?? '']?.serviceName, 'smoke-otlp');
});

test('a span sent by Jaeger Thrift/HTTP is retrieved by trace id through the query API', async () => {
  const jaeger = await useJaeger();
  const operation = `thrift-${randomUUID()}`;
  const traceId = await sendSpan(new JaegerExporter({ endpoint: jaeger.thriftHttpUrl }), 'smoke-thrift', operation);
  const trace = await fetchTrace(jaeger.queryUrl, traceId);
  assert.equal(trace.traceID, traceId);
  assert.deepEqual(trace.spans.map((span) => span.operationName), [operation]);
  assert.equal(trace.processes[trace.spans[0]?.processID ?? '']?.serviceName, 'smoke-thrift');
});
