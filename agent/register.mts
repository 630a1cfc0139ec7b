/**
 * Zero-code preload: `node --import vigil/register app.js`, configured by environment variables.
 * It runs before the application's first import, which is what lets module hooks see every import.
 */
// The loader hook goes first, so that nothing the application imports escapes it.
import './tracing/esm-hooks.mjs';
import { createRequire } from 'node:module';
import type * as Preload from './preload.js';

const require = createRequire(import.meta.url);
(require('./preload.js') as typeof Preload).initFromEnvironment();
