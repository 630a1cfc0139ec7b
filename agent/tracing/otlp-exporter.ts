import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import http from 'node:http';
import https from 'node:https';
import type { BatchExporter } from './batch-processor';
import { AttributeCache, EncodedSpans } from './otlp-proto';

/**
 * OTLP over HTTP with protobuf bodies (what Jaeger, the Collector and most backends take), sent
 * on kept-alive connections. Retries and back-off belong to the batch processor that calls it:
 * a failed export reports failure once and returns.
 */
export class OtlpHttpExporter implements BatchExporter<EncodedSpans> {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly inFlight = new Set<http.ClientRequest>();
  private readonly attributeCache = new AttributeCache();
  private lastBodyBytes = 0;

  constructor(url: string, private readonly timeoutMs = 10_000) {
    this.url = new URL(url);
    this.agent = this.url.protocol === 'https:' ? new https.Agent({ keepAlive: true, maxSockets: 2 }) : new http.Agent({ keepAlive: true, maxSockets: 2 });
  }

  newBatch(): EncodedSpans {
    return new EncodedSpans(this.attributeCache, this.lastBodyBytes);
  }

  export(batch: EncodedSpans, done: (result: ExportResult) => void): void {
    const body = batch.finish();
    this.lastBodyBytes = body.length;
    const client = this.url.protocol === 'https:' ? https : http;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(request);
      done(error === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error });
    };
    const request = client.request(
      this.url,
      {
        method: 'POST',
        agent: this.agent,
        timeout: this.timeoutMs,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (response) => {
        response.resume();
        response.once('end', () => {
          const status = response.statusCode ?? 0;
          settle(status >= 200 && status < 300 ? undefined : new Error(`${this.url.href} answered ${status}`));
        });
        response.once('error', settle);
      },
    );
    this.inFlight.add(request);
    request.once('timeout', () => request.destroy(new Error(`no answer from ${this.url.href} within ${this.timeoutMs} ms`)));
    request.once('error', (error: NodeJS.ErrnoException) => settle(new Error(`${error.code ?? error.message} from ${this.url.href}`)));
    request.end(body);
  }

  async shutdown(): Promise<void> {
    for (const request of this.inFlight) request.destroy();
    this.agent.destroy();
  }
}
