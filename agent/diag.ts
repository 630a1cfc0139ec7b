/**
 * The agent's own voice: one line on stderr, prefixed "vigil:". Runtime trouble is reported here
 * and never thrown into the host. A condition that repeats is reported when it changes, not per event.
 */
export interface Diag {
  info(message: string): void;
  warn(message: string): void;
  /** Reports `message` only when `key` enters a new `state`; repeats in the same state stay silent. */
  state(key: string, state: string, message: string): void;
}

export function createDiag(write: (line: string) => void = (line) => process.stderr.write(line)): Diag {
  const states = new Map<string, string>();
  const emit = (level: string, message: string) => {
    try {
      write(`vigil: ${level}: ${message}\n`);
    } catch {
      // stderr closed: nothing left to tell.
    }
  };
  return {
    info: (message) => emit('info', message),
    warn: (message) => emit('warn', message),
    state(key, state, message) {
      if (states.get(key) === state) return;
      states.set(key, state);
      emit(state === 'ok' ? 'info' : 'warn', message);
    },
  };
}
