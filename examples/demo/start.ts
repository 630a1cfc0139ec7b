/**
 * `npm run demo`: the demo service under the agent (preloaded, no code change) and its load
 * generator, so metrics move as soon as it starts. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const port = process.env.PORT ?? '8080';
const metricsPort = process.env.VIGIL_METRICS_PORT ?? '9464';
const env = {
  ...process.env,
  PORT: port,
  OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'demo',
  VIGIL_TIER: process.env.VIGIL_TIER ?? '2',
  VIGIL_METRICS_HOST: process.env.VIGIL_METRICS_HOST ?? '127.0.0.1',
  VIGIL_METRICS_PORT: metricsPort,
};

const service = spawn(process.execPath, ['--import', 'vigil/register', join(__dirname, 'server.js')], { env, stdio: 'inherit' });
let load: ReturnType<typeof spawn> | undefined;
const startLoad = () => {
  load = spawn(process.execPath, [join(__dirname, 'load.js')], { env: { ...env, TARGET: `http://127.0.0.1:${port}` }, stdio: 'inherit' });
};
setTimeout(startLoad, 1500);
console.log(`demo: service on http://127.0.0.1:${port}, metrics on http://127.0.0.1:${metricsPort}/metrics`);

const stop = () => {
  load?.kill('SIGTERM');
  service.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
service.once('exit', (code) => {
  load?.kill('SIGTERM');
  process.exitCode = code ?? 0;
});
