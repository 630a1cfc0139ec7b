/* eslint-disable @typescript-eslint/no-require-imports -- the Jaeger exporter and its Thrift stack load only when chosen. */
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TracesExporter, VigilConfig } from '../config/options';
import { SpanListExporter, type BatchExporter, type SpanBatch } from './batch-processor';
import { OtlpHttpExporter } from './otlp-exporter';

export interface ChosenExporter {
  readonly exporter: BatchExporter<SpanBatch>;
  /** Where spans go, for the start-up line and the outage warnings. */
  readonly destination: string;
}

/** The exporter OTEL_TRACES_EXPORTER names; "none" never gets here, since it turns tracing off. */
export function createExporter(traces: VigilConfig['traces'] & { exporter: Exclude<TracesExporter, 'none'> }): ChosenExporter {
  switch (traces.exporter) {
    case 'otlp': {
      const url = `${traces.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
      return { exporter: new OtlpHttpExporter(url), destination: `OTLP ${url}` };
    }
    case 'jaeger': {
      const { JaegerExporter } = require('@opentelemetry/exporter-jaeger') as typeof import('@opentelemetry/exporter-jaeger');
      return { exporter: new SpanListExporter(new JaegerExporter({ endpoint: traces.jaegerEndpoint })), destination: `Jaeger Thrift ${traces.jaegerEndpoint}` };
    }
    case 'console':
      return { exporter: new SpanListExporter(new ConsoleSpanExporter()), destination: 'the console' };
  }
}
