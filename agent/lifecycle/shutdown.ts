import type { Diag } from '../diag';
import { ErrorCodes } from '../errors';

/**
 * The order in which signals are flushed on the way out. Producers stop first so that what they
 * still emit (a crash event, a last span, a log line about shutting down) reaches the sinks that
 * flush after them; the metrics server closes last so a final scrape can still see the counts.
 */
export const ShutdownStage = {
  profiles: 10,
  crashes: 20,
  spans: 30,
  logs: 40,
  servers: 50,
} as const;

export type ShutdownStageValue = (typeof ShutdownStage)[keyof typeof ShutdownStage];

export interface Flushable {
  /** Shown when the budget runs out before this one finished. */
  readonly name: string;
  readonly stage: ShutdownStageValue;
  /** Flushes and releases everything; should finish early when `signal` aborts. */
  close(signal: AbortSignal): Promise<void>;
}

export interface ShutdownReport {
  /** Names of the participants that had not finished when the budget ran out. */
  readonly unfinished: readonly string[];
  readonly failed: readonly string[];
}

/** Runs every registered flush, stage by stage, within one total time budget. */
export class ShutdownCoordinator {
  private readonly participants: Flushable[] = [];
  private running: Promise<ShutdownReport> | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly diag: Diag,
  ) {}

  register(participant: Flushable): void {
    this.participants.push(participant);
  }

  run(): Promise<ShutdownReport> {
    this.running ??= this.runOnce();
    return this.running;
  }

  private async runOnce(): Promise<ShutdownReport> {
    const budget = new AbortController();
    const timer = setTimeout(() => budget.abort(), this.budgetMs);
    timer.unref();
    const unfinished: string[] = [];
    const failed: string[] = [];
    const stages = [...new Set(this.participants.map((p) => p.stage))].sort((a, b) => a - b);
    try {
      for (const stage of stages) {
        const members = this.participants.filter((p) => p.stage === stage);
        const pending = new Set(members.map((p) => p.name));
        const done = Promise.all(
          members.map(async (participant) => {
            try {
              await participant.close(budget.signal);
            } catch (error) {
              failed.push(participant.name);
              this.diag.warn(`shutdown of ${participant.name} failed: ${(error as Error).message}`);
            } finally {
              // One that returns only because the budget aborted it still counts as cut short.
              if (!budget.signal.aborted) pending.delete(participant.name);
            }
          }),
        );
        await Promise.race([done, aborted(budget.signal)]);
        if (budget.signal.aborted) {
          unfinished.push(...pending, ...this.laterThan(stage));
          break;
        }
      }
    } finally {
      clearTimeout(timer);
    }
    if (unfinished.length > 0) {
      this.diag.warn(`${ErrorCodes.SHUTDOWN_TIMEOUT}: shutdown budget of ${this.budgetMs} ms ran out; not finished: ${unfinished.join(', ')}`);
    }
    return { unfinished, failed };
  }

  private laterThan(stage: number): string[] {
    return this.participants.filter((p) => p.stage > stage).map((p) => p.name);
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
