/** What one check found: ok, a failure with what to fix, or off because the configuration turns that part off. */
export interface CheckResult {
  readonly status: 'ok' | 'fail' | 'off';
  /** One line: what was checked, what was found and, on failure, what to do about it. */
  readonly message: string;
}

export interface Check {
  /** Short name printed in front of the result. */
  readonly name: string;
  run(signal: AbortSignal): Promise<CheckResult>;
}

export const ok = (message: string): CheckResult => ({ status: 'ok', message });
export const fail = (message: string): CheckResult => ({ status: 'fail', message });
export const off = (message: string): CheckResult => ({ status: 'off', message });

/** The innermost reason of an error, which for a refused connection sits in `cause`. */
export function reason(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (!(current instanceof Error)) return String(current);
  const code = (current as NodeJS.ErrnoException).code;
  return code !== undefined && !current.message.includes(code) ? `${code} ${current.message}` : current.message;
}

/** Runs `check`, turning a throw or an overrun of `timeoutMs` into a failure line. */
export async function runCheck(check: Check, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(fail(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([check.run(controller.signal), overrun]);
  } catch (error) {
    return fail(reason(error));
  } finally {
    clearTimeout(timer);
  }
}
