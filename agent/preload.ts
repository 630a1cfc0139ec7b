import { VigilConfigError } from './errors';
import { init } from './index';

/**
 * What both preloads do: start the agent from the environment. Bad configuration ends the process
 * with one line and exit code 1 instead of a stack trace, before the application starts.
 */
export function initFromEnvironment(): void {
  try {
    init();
  } catch (error) {
    if (!(error instanceof VigilConfigError)) throw error;
    process.stderr.write(`vigil: error: ${error.message}\n`);
    process.exit(1);
  }
}
