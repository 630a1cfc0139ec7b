import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpOk } from '../health';
import type { ServiceDefinition } from '../service';

/** Command-line arguments for one Alertmanager with its files under `dir`; gossip is off. */
export function alertmanagerArgs(dir: string, port: number): string[] {
  return [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // A single instance: no cluster port to collide with anything.
    '--cluster.listen-address=',
  ];
}

export const ALERTMANAGER_COMMAND = 'prometheus-alertmanager';

/**
 * Alertmanager from Debian's package. Alerts go to the webhook VIGIL_ALERT_WEBHOOK_URL; without it
 * they are kept and shown in the UI only.
 */
export const alertmanager: ServiceDefinition = {
  name: 'alertmanager',
  version: 'debian',
  ports: [{ role: 'http', defaultPort: 9093, env: 'VIGIL_ALERTMANAGER_PORT' }],
  requires: [{ command: ALERTMANAGER_COMMAND, debianPackage: 'prometheus-alertmanager' }],

  install: async () => undefined,

  async prepare(context) {
    await mkdir(join(context.dir, 'data'), { recursive: true });
    const webhook = process.env.VIGIL_ALERT_WEBHOOK_URL;
    const config = {
      route: { receiver: 'default', group_by: ['alertname', 'service'], group_wait: '10s', group_interval: '1m', repeat_interval: '4h' },
      receivers: [{ name: 'default', ...(webhook ? { webhook_configs: [{ url: webhook }] } : {}) }],
    };
    await writeFile(join(context.dir, 'alertmanager.yml'), `${JSON.stringify(config, null, 2)}\n`);
    return {};
  },

  launch: (context) => ({ command: ALERTMANAGER_COMMAND, args: alertmanagerArgs(context.dir, context.ports.http ?? 0) }),

  healthy: (context) => httpOk(`http://127.0.0.1:${context.ports.http}/-/ready`),

  endpoints: (context) => ({ url: `http://127.0.0.1:${context.ports.http}` }),
};
