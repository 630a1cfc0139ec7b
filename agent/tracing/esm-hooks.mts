/**
 * Registers the ESM loader hook that lets instrumentations patch packages loaded with `import`.
 * It must run before the application's first import, which is why the preload imports it first.
 */
import { createRequire, register as registerLoader } from 'node:module';
import { register as registerInThread, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import type * as Instrumentations from './instrumentations.js';

const require = createRequire(import.meta.url);
const { PATCHED_MODULES } = require('./instrumentations.js') as typeof Instrumentations;

// Only packages some instrumentation patches are intercepted: wrapping every module slows start-up.
const include = [...PATCHED_MODULES];

if (supportsSyncHooks()) {
  // In-thread hooks see the instrumentations that init() registers next without any hand-shake.
  registerInThread({ include });
} else {
  registerLoader('import-in-the-middle/hook.mjs', import.meta.url, { data: { include } });
}
