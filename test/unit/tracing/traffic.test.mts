import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter, propagation } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { TrafficHeaderPropagator, TrafficSpanProcessor, trafficOf } from '../../../dist/agent/tracing/traffic.js';

// The order the agent uses: incoming baggage first, then the edge header adds to it.
const propagator = new CompositePropagator({ propagators: [new W3CBaggagePropagator(), new TrafficHeaderPropagator()] });
const extract = (headers: Record<string, string>) => propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);

describe('traffic colouring in traces', () => {
  it('turns the x-vigil-traffic header into baggage that travels to the next service', () => {
    const context = extract({ 'x-vigil-traffic': 'shadow', baggage: 'tenant=acme' });
    assert.equal(trafficOf(context), 'shadow');
    const outgoing: Record<string, string> = {};
    propagator.inject(context, outgoing, defaultTextMapSetter);
    assert.match(outgoing.baggage ?? '', /vigil\.traffic=shadow/);
    assert.match(outgoing.baggage ?? '', /tenant=acme/, 'the baggage that came in is kept');
  });

  it('reads shadow from incoming baggage alone', () => {
    assert.equal(trafficOf(extract({ baggage: 'vigil.traffic=shadow' })), 'shadow');
  });

  it('leaves live requests live', () => {
    assert.equal(trafficOf(extract({})), 'live');
    assert.equal(trafficOf(extract({ 'x-vigil-traffic': 'live', baggage: 'vigil.traffic=live' })), 'live');
    const outgoing: Record<string, string> = {};
    propagator.inject(extract({}), outgoing, defaultTextMapSetter);
    assert.equal(outgoing.baggage, undefined);
  });

  it('marks every span with the colour of the context it starts in', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new TrafficSpanProcessor(), new SimpleSpanProcessor(exporter)] }).getTracer('test');
    const shadow = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'vigil.traffic': { value: 'shadow' } }));
    tracer.startSpan('shadow work', {}, shadow).end();
    tracer.startSpan('live work', {}, ROOT_CONTEXT).end();
    const byName = new Map(exporter.getFinishedSpans().map((span) => [span.name, span.attributes.traffic]));
    assert.equal(byName.get('shadow work'), 'shadow');
    assert.equal(byName.get('live work'), 'live');
  });
});
