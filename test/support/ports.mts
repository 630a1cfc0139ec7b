// One implementation for the tests and the benchmarks, compiled with the benchmarks.
export { freePort, waitForHttp } from '../../dist/bench/support/ports.js';
