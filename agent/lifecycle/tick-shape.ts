import { executionAsyncResource } from 'node:async_hooks';

/**
 * Keeps one of process.nextTick's queue entries alive while the agent runs; returns the release.
 *
 * Why: every nextTick builds its queue entry with one object literal, and V8 keeps the hidden class
 * of those entries only while some object uses it. If a garbage collection runs while no entry is
 * alive, the next entry gets a new hidden class, nextTick's optimised code no longer matches it, and
 * from then on each property of each entry is added through V8's runtime. Starting the agent made
 * such a collection likely (it allocates while loading pino and opening stdout); on the demo's fast
 * route that cost about 40 000 machine instructions per request, some 60% more than the route itself
 * (counted with valgrind's callgrind). An entry held here keeps the hidden class, and the fast path,
 * alive; the collector holds one for the same reason.
 */
export function holdNextTickShape(): () => void {
  const held: { entry?: object } = {};
  // Inside a nextTick callback the current async resource is that tick's queue entry.
  process.nextTick(() => {
    held.entry = executionAsyncResource();
  });
  return () => {
    delete held.entry;
  };
}
