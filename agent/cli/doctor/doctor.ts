import { resolveConfig } from '../../config/resolve';
import { VigilConfigError } from '../../errors';
import { runCheck, type Check, type CheckResult } from './check';
import { kafkaCheck } from './kafka';
import { metricsPortCheck } from './metrics-port';
import { sentryCheck } from './sentry';
import { tracesCheck } from './traces';

export interface DoctorOptions {
  /** The environment the service would start with. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where package.json of the service is, for its name and version. */
  readonly cwd: string;
  /** How long one check may take. */
  readonly timeoutMs: number;
  readonly write: (line: string) => void;
}

const MARK: Record<CheckResult['status'], string> = { ok: 'ok  ', fail: 'FAIL', off: 'off ' };

/**
 * Checks, for the configuration init() would read from `env`, every backend the agent talks to, and
 * prints one line per check. Resolves to the exit code: 0 when nothing failed, 1 otherwise.
 */
export async function runDoctor(options: DoctorOptions): Promise<number> {
  const { write, timeoutMs } = options;
  let config;
  try {
    config = resolveConfig({}, options.env, options.cwd);
  } catch (error) {
    if (!(error instanceof VigilConfigError)) throw error;
    write(`${MARK.fail} configuration: ${error.message}`);
    return 1;
  }
  const { service, environment, tier } = config.identity;
  write(`${MARK.ok} configuration: service ${service}, environment ${environment}, tier ${tier}`);

  const checks: Check[] = [metricsPortCheck(config), kafkaCheck(config, timeoutMs), tracesCheck(config), sentryCheck(config)];
  // Run together so that the slowest check, not their sum, bounds the wait; print in a fixed order.
  const results = await Promise.all(checks.map((check) => runCheck(check, timeoutMs)));
  results.forEach((result, index) => write(`${MARK[result.status]} ${checks[index]?.name}: ${result.message}`));
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}
