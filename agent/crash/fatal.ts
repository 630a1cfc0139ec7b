import { inspect } from 'node:util';
import type { Diag } from '../diag';

export interface FatalExitOptions {
  readonly diag: Diag;
  /** Flushes every signal, the crash event first; bounded by the shutdown budget. */
  readonly flushAll: () => Promise<void>;
  /** The most the flush may take before the process ends anyway. */
  readonly budgetMs: number;
  readonly exit?: (code: number) => void;
}

/**
 * What happens after an error that Node would have ended the process with: the error is printed
 * as Node prints it, every signal is flushed within the budget (so the crash event reaches Sentry
 * before the process is gone), and the process exits with code 1, as it would have without the agent.
 */
export function fatalExit({ diag, flushAll, budgetMs, exit = (code) => process.exit(code) }: FatalExitOptions): (error: unknown) => void {
  let exiting = false;
  return (error) => {
    if (exiting) return;
    exiting = true;
    // Should the event loop drain before the flush settles, the process still ends as failed.
    process.exitCode = 1;
    try {
      process.stderr.write(`${inspect(error)}\n`);
    } catch {
      // stderr closed: the event is what is left to tell.
    }
    diag.warn(`crash: the process ends on an uncaught error; sending the crash event and flushing signals (at most ${budgetMs} ms)`);
    const backstop = setTimeout(() => exit(1), budgetMs + 1000);
    backstop.unref();
    flushAll()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(backstop);
        exit(1);
      });
  };
}
