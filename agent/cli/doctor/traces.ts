import type { VigilConfig } from '../../config/options';
import { fail, off, ok, reason, type Check } from './check';

/**
 * Sends an empty export to the trace endpoint the agent would use. An empty OTLP request is valid
 * and stores nothing; for Jaeger's Thrift endpoint any answer but "not found" shows a collector.
 */
export function tracesCheck(config: VigilConfig): Check {
  const { exporter, otlpEndpoint, jaegerEndpoint } = config.traces;
  return {
    name: 'traces',
    async run(signal) {
      if (exporter === 'none' || exporter === 'console') return off(`OTEL_TRACES_EXPORTER=${exporter}: no trace backend to reach`);
      const otlp = exporter === 'otlp';
      const url = otlp ? `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` : jaegerEndpoint;
      const variable = otlp ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'OTEL_EXPORTER_JAEGER_ENDPOINT';
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': otlp ? 'application/json' : 'application/x-thrift' },
          body: otlp ? '{"resourceSpans":[]}' : '',
          signal,
        });
        await response.arrayBuffer();
      } catch (error) {
        return fail(`nothing answers at ${url} (${variable}): ${reason(error)}: start Jaeger, or fix ${variable}`);
      }
      if (response.status === 404 || response.status === 405) {
        return fail(`${url} answers ${response.status}: that is no ${otlp ? 'OTLP/HTTP' : 'Jaeger Thrift HTTP'} endpoint; fix ${variable}`);
      }
      if (otlp && !response.ok) return fail(`${url} refused an empty export with ${response.status}: check ${variable} and the collector's logs`);
      return ok(`${otlp ? 'OTLP/HTTP' : 'Jaeger Thrift HTTP'} endpoint ${url} accepts exports`);
    },
  };
}
