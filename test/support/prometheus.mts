import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForHttp } from './ports.mts';
import { startProcess } from './process.mts';

export interface PromVectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusOptions {
  /** Scrape targets as host:port. */
  readonly targets: readonly string[];
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  readonly ruleFiles?: readonly string[];
  readonly alertmanagerUrl?: string;
  /** Turns on exemplar storage, so the exemplar query API answers. */
  readonly exemplars?: boolean;
}

export interface Prometheus {
  readonly url: string;
  query(promql: string): Promise<PromVectorSample[]>;
  queryExemplars(promql: string, start: number, end: number): Promise<unknown[]>;
  /** Polls `promql` until `predicate` holds for its result, or fails after `timeoutMs`. */
  waitFor(promql: string, predicate: (samples: PromVectorSample[]) => boolean, timeoutMs?: number): Promise<PromVectorSample[]>;
  stop(): Promise<void>;
}

/** One private Prometheus (Debian's package) on a free loopback port, with its own data directory. */
export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-prometheus-'));
  const port = await freePort();
  const interval = options.scrapeInterval ?? '3s';
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${options.evaluationInterval ?? interval}`,
    ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
    ...(options.alertmanagerUrl
      ? ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: [${JSON.stringify(new URL(options.alertmanagerUrl).host)}]`]
      : []),
    'scrape_configs:',
    '  - job_name: vigil',
    '    static_configs:',
    `      - targets: [${options.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), `${config}\n`);
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.exemplars ? ['--enable-feature=exemplar-storage'] : []),
  ];
  const server = startProcess('prometheus', args);
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForHttp(`${url}/-/ready`, 30_000),
      server.exited.then((code) => {
        throw new Error(`prometheus exited with ${code}: ${server.output().slice(-2000)}`);
      }),
    ]);
  } catch (error) {
    await server.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const api = async <T,>(path: string, params: Record<string, string>): Promise<T> => {
    const response = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path} failed for ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  };
  const query = async (promql: string) => (await api<{ result: PromVectorSample[] }>('/api/v1/query', { query: promql })).result;

  return {
    url,
    query,
    queryExemplars: (promql, start, end) => api<unknown[]>('/api/v1/query_exemplars', { query: promql, start: String(start), end: String(end) }),
    async waitFor(promql, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let samples: PromVectorSample[] = [];
      while (Date.now() < deadline) {
        samples = await query(promql);
        if (predicate(samples)) return samples;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`${promql} did not meet the expectation within ${timeoutMs} ms; last result: ${JSON.stringify(samples)}`);
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
