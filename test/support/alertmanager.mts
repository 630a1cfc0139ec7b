import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERTMANAGER_COMMAND, alertmanagerArgs } from '../../dist/deploy/native/index.js';
import { freePort, waitForHttp } from './ports.mts';
import { startProcess } from './process.mts';

export interface Alertmanager {
  readonly url: string;
  stop(): Promise<void>;
}

/** One private Alertmanager (Debian's package) with `configYaml`, on a free loopback port. */
export async function startAlertmanager(options: { configYaml: string }): Promise<Alertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-alertmanager-'));
  const port = await freePort();
  await writeFile(join(dir, 'alertmanager.yml'), options.configYaml);
  const server = startProcess(ALERTMANAGER_COMMAND, alertmanagerArgs(dir, port));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForHttp(`${url}/-/ready`, 30_000),
      server.exited.then((code) => {
        throw new Error(`${ALERTMANAGER_COMMAND} exited with ${code}: ${server.output().slice(-2000)}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
