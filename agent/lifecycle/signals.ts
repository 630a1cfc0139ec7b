const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `shutdown` on SIGTERM and SIGINT. Listening to a signal takes Node's default exit away, so
 * once the flush is done and no other listener is left to decide, the signal is raised again with
 * the default action: the process ends the way it would have without the agent.
 * Returns a function that removes the listeners.
 */
export function runOnTerminationSignals(shutdown: () => Promise<unknown>): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    void shutdown().finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const remove = () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return remove;
}
