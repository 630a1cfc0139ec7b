import type { Context, TextMapGetter, TextMapPropagator } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { propagation } from '../otel-api';
import { TRAFFIC_BAGGAGE_KEY, TRAFFIC_HEADER, type Traffic } from '../traffic';

/** The span attribute that marks a span's traffic colour, named like the metric label. */
export const TRAFFIC_ATTRIBUTE = 'traffic';

/** The traffic colour carried by `context`'s baggage. */
export function trafficOf(context: Context): Traffic {
  return propagation.getBaggage(context)?.getEntry(TRAFFIC_BAGGAGE_KEY)?.value === 'shadow' ? 'shadow' : 'live';
}

/**
 * Turns the edge header `x-vigil-traffic: shadow` into the baggage entry `vigil.traffic=shadow`,
 * which the baggage propagator then carries to every downstream call. It injects nothing itself.
 * Runs after the W3C baggage propagator so it adds to the baggage that came in.
 */
export class TrafficHeaderPropagator implements TextMapPropagator {
  inject(): void {}

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, TRAFFIC_HEADER);
    const value = Array.isArray(header) ? header[0] : header;
    if (value?.trim().toLowerCase() !== 'shadow' || trafficOf(context) === 'shadow') return context;
    const baggage = propagation.getBaggage(context) ?? propagation.createBaggage();
    return propagation.setBaggage(context, baggage.setEntry(TRAFFIC_BAGGAGE_KEY, { value: 'shadow' }));
  }

  fields(): string[] {
    return [TRAFFIC_HEADER];
  }
}

/** Marks every span with the traffic colour of the context it starts in. */
export class TrafficSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    span.setAttribute(TRAFFIC_ATTRIBUTE, trafficOf(parentContext));
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
