// Checks that the environment a deployment file gives the collector or an instrumented service is
// a configuration that component accepts, so a renamed variable or a bad value fails here rather
// than at start-up in someone's cluster.
import assert from 'node:assert/strict';
import { resolveConfig } from '../../../dist/agent/config/resolve.js';
import { resolveCollectorConfig, usage } from '../../../dist/collectors/logs/config.js';

/** Resolves the collector's configuration from `env` and fails on any VIGIL_* variable it does not read. */
export function collectorConfigFrom(env: Record<string, string>): ReturnType<typeof resolveCollectorConfig> {
  const known = usage();
  for (const name of Object.keys(env).filter((key) => key.startsWith('VIGIL_'))) {
    assert.ok(known.includes(name), `the collector does not read ${name}`);
  }
  return resolveCollectorConfig([], env);
}

/** The configuration init() would build from `env` (throws VigilConfigError as init() would). */
export function agentConfigFrom(env: Record<string, string>): ReturnType<typeof resolveConfig> {
  return resolveConfig({}, env, '/nonexistent');
}
