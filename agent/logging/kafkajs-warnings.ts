/**
 * kafkajs 2.2 arms a negative timeout whenever its request queue drains
 * (`RequestQueue.scheduleCheckPendingRequests` subtracts the time from a "not throttled" mark of -1).
 * Node.js runs such a timer after 1 ms, which is what kafkajs means, and recent Node.js versions also
 * print a TimeoutNegativeWarning on the service's stderr, which tells its users nothing. Called
 * only in threads that run Vigil's own Kafka clients (the log shipping worker, vigil-collector):
 * it drops that one warning there and passes every other through.
 */
export function muteNegativeTimeoutWarnings(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === 'TimeoutNegativeWarning') return;
    (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as NodeJS.Process['emitWarning'];
}
