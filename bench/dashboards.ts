/**
 * What the recording rules save: the fleet overview's queries answered from raw histograms and
 * from the series the rules record, side by side on one Prometheus holding two hours of synthetic
 * history of 24 services (promtool backfills both the history and the rules).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LATENCY_BUCKETS } from '../agent/metrics/names';
import { freePort } from './support/ports';

const SERVICES = 24;
const ROUTES = 4;
const STEP_S = 30;
const SPAN_S = 2 * 3600;
const RUNS = 15;
const rulesFile = join(__dirname, '../../dashboards/build/prometheus/rules.yaml');

/** Writes the history as OpenMetrics: per service, route and status a counter-like histogram. */
async function writeHistory(file: string, end: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write('# TYPE http_server_request_duration_seconds histogram\n');
  let series = 0;
  for (let s = 0; s < SERVICES; s++) {
    for (let r = 0; r < ROUTES; r++) {
      for (const status of ['200', '500']) {
        const labels = `job="vigil",instance="svc${s}:9464",service="svc${s}",environment="bench",tier="${(s % 4) + 1}",traffic="live",http_request_method="GET",http_route="/r${r}",http_response_status_code="${status}",error_type="${status === '500' ? '500' : ''}"`;
        const perSecond = status === '200' ? 20 + r : 0.2 * (r + 1);
        const meanSeconds = 0.02 * (r + 1);
        const share = (le: number) => 1 - Math.exp(-le / meanSeconds);
        const suffixes = [...LATENCY_BUCKETS.map((le) => ({ name: '_bucket', le: String(le), share: share(le) })), { name: '_bucket', le: '+Inf', share: 1 }];
        series += suffixes.length + 2;
        for (const { name, le, share: fraction } of suffixes) {
          for (let t = end - SPAN_S, n = 0; t <= end; t += STEP_S, n++) await write(`http_server_request_duration_seconds${name}{${labels},le="${le}"} ${Math.floor(n * STEP_S * perSecond * fraction)} ${t}\n`);
        }
        for (let t = end - SPAN_S, n = 0; t <= end; t += STEP_S, n++) await write(`http_server_request_duration_seconds_count{${labels}} ${Math.floor(n * STEP_S * perSecond)} ${t}\n`);
        for (let t = end - SPAN_S, n = 0; t <= end; t += STEP_S, n++) await write(`http_server_request_duration_seconds_sum{${labels}} ${n * STEP_S * perSecond * meanSeconds} ${t}\n`);
      }
    }
  }
  await write('# EOF\n');
  await new Promise<void>((resolve) => out.end(resolve));
  return series;
}

function promtool(...args: string[]): void {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`promtool ${args.slice(0, 2).join(' ')} failed: ${run.stdout}${run.stderr}`);
}

async function startPrometheus(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const child = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const ready = await fetch(`${url}/-/ready`).then((response) => response.ok, () => false);
    if (ready) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  throw new Error('prometheus did not become ready');
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Time of one instant query at `time`, and the number of series it returned. */
async function timeQuery(url: string, promql: string, time: number): Promise<{ ms: number; series: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql, time: String(time) })}`);
  const body = (await response.json()) as { status: string; data: { result: unknown[] }; error?: string };
  const ms = performance.now() - started;
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return { ms, series: body.data.result.length };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function bench(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-dashboards-'));
  try {
    const end = Math.floor(Date.now() / 1000 / 3600) * 3600 - 60;
    const series = await writeHistory(join(dir, 'history.om'), end);
    promtool('tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'history.om'), join(dir, 'data'));
    rmSync(join(dir, 'history.om'));

    const rules = (parseYaml(readFileSync(rulesFile, 'utf8')) as { groups: { rules: { record: string; expr: string }[] }[] }).groups.flatMap((group) => group.rules);
    const compared = ['service:http_server_requests:rate5m', 'service:http_server_request_errors:ratio_rate1h', 'service:http_server_request_slow:ratio_rate1h'];
    const chosen = compared.map((record) => rules.find((rule) => rule.record === record)!);
    writeFileSync(join(dir, 'rules.yaml'), `groups:\n  - name: bench\n    rules:\n${chosen.map((rule) => `      - record: ${rule.record}\n        expr: ${JSON.stringify(rule.expr)}\n`).join('')}`);

    let prometheus = await startPrometheus(dir);
    promtool('tsdb', 'create-blocks-from', 'rules', `--url=${prometheus.url}`, `--start=${end - 600}`, `--end=${end}`, `--output-dir=${join(dir, 'recorded')}`, '--eval-interval=60s', '--quiet', join(dir, 'rules.yaml'));
    await stop(prometheus.child);
    for (const block of readdirSync(join(dir, 'recorded'))) renameSync(join(dir, 'recorded', block), join(dir, 'data', block));
    prometheus = await startPrometheus(dir);

    const rows: string[] = [];
    try {
      for (const rule of chosen) {
        const at = end - 60;
        const times = { raw: [] as number[], recorded: [] as number[] };
        let series = 0;
        for (let i = 0; i < RUNS; i++) {
          const raw = await timeQuery(prometheus.url, rule.expr, at);
          const recorded = await timeQuery(prometheus.url, rule.record, at);
          if (raw.series !== recorded.series) throw new Error(`${rule.record}: raw gives ${raw.series} series, recorded ${recorded.series}`);
          times.raw.push(raw.ms);
          times.recorded.push(recorded.ms);
          series = raw.series;
        }
        const [raw, recorded] = [median(times.raw), median(times.recorded)];
        rows.push(`| \`${rule.record}\` | ${series} | ${raw.toFixed(1)} | ${recorded.toFixed(1)} | ${(raw / recorded).toFixed(1)}x |`);
      }
    } finally {
      await stop(prometheus.child);
    }
    return [
      '## Dashboards: recording rules versus raw queries',
      '',
      `Instant queries of the fleet overview on one Prometheus (the Debian package) holding ${SPAN_S / 3600} h of history of ${SERVICES} services x ${ROUTES} routes x 2 statuses (${series} series, one sample every ${STEP_S} s), written by promtool, with the recording rules backfilled by promtool. Median of ${RUNS} runs of each, raw and recorded alternating.`,
      '',
      '| recorded series | series returned | raw expression (ms) | recorded series (ms) | raw / recorded |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      'Reproduce: `npm run bench -- dashboards`',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
