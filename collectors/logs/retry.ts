/** What a retry loop needs from the batch it works for. */
export interface RetryControl {
  /** True once the work must be given up: the process is stopping or the partition moved away. */
  cancelled(): boolean;
  /** Runs while waiting, so the consumer group does not count this member as gone. */
  keepAlive(): Promise<void>;
}

const FIRST_DELAY_MS = 200;
const LONGEST_DELAY_MS = 5000;
const KEEP_ALIVE_EVERY_MS = 1000;

/** Exponential backoff with jitter, so several collectors do not retry in step. */
export function backoffMs(attempt: number): number {
  const ceiling = Math.min(LONGEST_DELAY_MS, FIRST_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Waits `ms` in short slices, keeping the member alive; resolves false when cancelled meanwhile. */
export async function waitOrCancel(ms: number, control: RetryControl): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (control.cancelled()) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(KEEP_ALIVE_EVERY_MS, until - Date.now())));
    await control.keepAlive();
  }
  return !control.cancelled();
}

/** Awaits `work` while keeping the member alive, so one slow request does not cost the partition. */
export async function keepingAlive<T>(work: Promise<T>, control: RetryControl): Promise<T> {
  const ticker = setInterval(() => void control.keepAlive(), KEEP_ALIVE_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(ticker);
  }
}
