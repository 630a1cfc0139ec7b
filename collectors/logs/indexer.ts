import type { Client, estypes } from '@elastic/elasticsearch';
import type { Diag } from '../../agent/diag';
import type { LogDocument, Rejected } from './document';
import type { CollectorMetrics } from './metrics';
import { backoffMs, keepingAlive, waitOrCancel, type RetryControl } from './retry';

/** How one chunk ended: every document acknowledged, or refused for good with a reason. */
export interface ChunkOutcome {
  readonly refused: readonly Rejected[];
}

const CONFLICT = 409;

/**
 * Writes documents with bulk `create` requests and settles every item: acknowledged (a 409 on
 * the deterministic id means an earlier delivery already indexed it), retried with backoff (429
 * and 5xx, or the whole request when Elasticsearch cannot be reached), or refused for good (other
 * errors, such as a mapping conflict), which the caller sends to the dead-letter topic.
 */
export class BulkIndexer {
  constructor(
    private readonly client: Client,
    private readonly metrics: CollectorMetrics,
    private readonly diag: Diag,
  ) {}

  /** Resolves once every document is settled, or undefined when `control` cancelled first. */
  async index(documents: readonly LogDocument[], control: RetryControl): Promise<ChunkOutcome | undefined> {
    let pending = documents;
    const refused: Rejected[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0 && !(await waitOrCancel(backoffMs(attempt - 1), control))) return undefined;
      const items = await keepingAlive(this.send(pending), control);
      if (items === undefined) continue;
      const retry: LogDocument[] = [];
      const indexed = new Map<string, number>();
      items.forEach((item, index) => {
        const document = pending[index] as LogDocument;
        const status = item.status;
        if (status < 300 || status === CONFLICT) {
          if (status < 300) indexed.set(document.dataStream, (indexed.get(document.dataStream) ?? 0) + 1);
          return;
        }
        this.metrics.rejections.inc({ status: String(status) });
        if (status === 429 || status >= 500) {
          this.metrics.retried.inc({ status: String(status) });
          retry.push(document);
        } else {
          const type = item.error?.type ?? `status_${status}`;
          refused.push({ source: document.source, reason: type, detail: `${type}: ${item.error?.reason ?? 'rejected'}` });
        }
      });
      for (const [dataStream, count] of indexed) this.metrics.indexed.inc({ data_stream: dataStream }, count);
      pending = retry;
    }
    return { refused };
  }

  /** One bulk request; undefined when the request as a whole failed and must be sent again. */
  private async send(documents: readonly LogDocument[]): Promise<estypes.BulkResponseItem[] | undefined> {
    const operations: string[] = [];
    for (const document of documents) {
      operations.push(JSON.stringify({ create: { _index: document.dataStream, _id: document.id } }), document.json);
    }
    const stopTimer = this.metrics.bulkDuration.startTimer();
    try {
      // Only what settling needs: the full per-item answer costs more to send and parse than the documents.
      const response = await this.client.bulk<string>({ operations, filter_path: 'items.*.status,items.*.error' });
      stopTimer();
      this.diag.state('collector.elasticsearch', 'ok', 'collector: Elasticsearch accepts bulk requests');
      return response.items.map((entry) => entry.create as estypes.BulkResponseItem);
    } catch (error) {
      stopTimer();
      this.diag.state('collector.elasticsearch', 'failing', `collector: bulk request failed (${(error as Error).message}); retrying with backoff, fetching paused`);
      return undefined;
    }
  }
}
