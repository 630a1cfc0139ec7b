/** Preload for CommonJS: `node --require vigil/register app.js`, configured by environment variables. */
import { VigilConfigError, init } from './index';

try {
  init();
} catch (error) {
  if (!(error instanceof VigilConfigError)) throw error;
  process.stderr.write(`vigil: error: ${error.message}\n`);
  process.exit(1);
}
