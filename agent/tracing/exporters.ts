/* eslint-disable @typescript-eslint/no-require-imports -- only the chosen exporter is loaded. */
import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { VigilConfig } from '../config/options';

export interface ChosenExporter {
  readonly exporter: SpanExporter;
  /** Where spans go, for the start-up line and the outage warnings. */
  readonly destination: string;
}

/** The exporter OTEL_TRACES_EXPORTER names; undefined for "none" (spans still give logs their ids). */
export function createExporter(traces: VigilConfig['traces']): ChosenExporter | undefined {
  switch (traces.exporter) {
    case 'otlp': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      const url = `${traces.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
      return { exporter: new OTLPTraceExporter({ url }), destination: `OTLP ${url}` };
    }
    case 'jaeger': {
      const { JaegerExporter } = require('@opentelemetry/exporter-jaeger') as typeof import('@opentelemetry/exporter-jaeger');
      return { exporter: new JaegerExporter({ endpoint: traces.jaegerEndpoint }), destination: `Jaeger Thrift ${traces.jaegerEndpoint}` };
    }
    case 'console':
      return { exporter: new ConsoleSpanExporter(), destination: 'the console' };
    case 'none':
      return undefined;
  }
}
