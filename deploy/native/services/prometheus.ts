import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpOk } from '../health';
import type { ServiceDefinition } from '../service';

/** Comma-separated environment list, or the fallback when unset. */
function list(variable: string, fallback: readonly string[]): string[] {
  const value = process.env[variable];
  return value === undefined ? [...fallback] : value.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * Prometheus from Debian's package. It scrapes the agent and the collector on their default ports
 * (VIGIL_PROMETHEUS_TARGETS overrides), loads VIGIL_PROMETHEUS_RULES and alerts the stack's
 * Alertmanager.
 */
export const prometheus: ServiceDefinition = {
  name: 'prometheus',
  version: 'debian',
  ports: [{ role: 'http', defaultPort: 9090, env: 'VIGIL_PROMETHEUS_PORT' }],
  requires: [{ command: 'prometheus', debianPackage: 'prometheus' }],

  install: async () => undefined,

  async prepare(context) {
    await mkdir(join(context.dir, 'data'), { recursive: true });
    const alertmanager = context.portOf('alertmanager', 'http');
    const config = {
      global: { scrape_interval: '3s', evaluation_interval: '3s' },
      rule_files: list('VIGIL_PROMETHEUS_RULES', []),
      ...(alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${alertmanager}`] }] }] } } : {}),
      scrape_configs: [
        { job_name: 'vigil', static_configs: [{ targets: list('VIGIL_PROMETHEUS_TARGETS', ['127.0.0.1:9464', '127.0.0.1:9465']) }] },
      ],
    };
    await writeFile(join(context.dir, 'prometheus.yml'), `${JSON.stringify(config, null, 2)}\n`);
    return {};
  },

  launch: (context) => ({
    command: 'prometheus',
    args: [
      `--config.file=${join(context.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(context.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${context.ports.http}`,
      '--enable-feature=exemplar-storage',
      '--web.enable-lifecycle',
    ],
  }),

  healthy: (context) => httpOk(`http://127.0.0.1:${context.ports.http}/-/ready`),

  endpoints: (context) => ({ url: `http://127.0.0.1:${context.ports.http}` }),
};
