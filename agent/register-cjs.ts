/** Preload for CommonJS: `node --require vigil/register app.js`, configured by environment variables. */
import { initFromEnvironment } from './preload';

initFromEnvironment();
