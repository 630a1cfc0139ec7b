// What the profiler's integration tests share: a real pprof reader, a load generator, metric reads.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The functions `go tool pprof -top` lists, hottest first, by flat value of the chosen sample type. */
export async function pprofTop(profile: Buffer | string, sampleIndex?: string): Promise<string[]> {
  let file = profile;
  if (Buffer.isBuffer(profile)) {
    file = join(await mkdtemp(join(tmpdir(), 'vigil-pprof-')), 'profile.pb.gz');
    await writeFile(file, profile);
  }
  const args = ['tool', 'pprof', '-top', ...(sampleIndex === undefined ? [] : [`-sample_index=${sampleIndex}`]), file as string];
  const { stdout } = await run('go', args, { maxBuffer: 16 * 1024 * 1024 });
  const rows = stdout.split('\n');
  const header = rows.findIndex((row) => /^\s+flat\s+flat%/.test(row));
  if (header < 0) throw new Error(`go tool pprof printed no table:\n${stdout}`);
  return rows.slice(header + 1).filter((row) => row.trim() !== '').map((row) => row.trim().split(/\s+/).slice(5).join(' '));
}

/** Keeps `concurrency` requests to `url` in flight until `signal` aborts; resolves to the count sent. */
export async function hammer(url: string, concurrency: number, signal: AbortSignal): Promise<number> {
  let sent = 0;
  const worker = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch(url, { signal });
        await response.arrayBuffer();
        sent++;
      } catch {
        // Aborted at the end of the run, or the server is gone: stop, or wait before trying again.
        if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent;
}

/** Sum of every series of `name` on a Prometheus text page, optionally only those with `labels`. */
export async function metricValue(metricsUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const page = await (await fetch(metricsUrl)).text();
  let total = 0;
  for (const line of page.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}
