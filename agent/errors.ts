/**
 * The one catalogue of Vigil's error codes. Every code here is documented in
 * docs/errors.md; a unit test keeps the two in step.
 */
export const ErrorCodes = {
  /** An option passed to init() or read from the environment is not allowed. */
  INVALID_OPTION: 'VIGIL_ERR_INVALID_OPTION',
  /** An option that init() does not know was passed. */
  UNKNOWN_OPTION: 'VIGIL_ERR_UNKNOWN_OPTION',
  /** The metrics server could not listen on its host and port. */
  METRICS_LISTEN: 'VIGIL_ERR_METRICS_LISTEN',
  /** shutdown() ran out of its time budget before every signal was flushed. */
  SHUTDOWN_TIMEOUT: 'VIGIL_ERR_SHUTDOWN_TIMEOUT',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class VigilError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(`${code}: ${message}`, options);
    this.name = 'VigilError';
    this.code = code;
  }
}

/** Thrown by init() when configuration is invalid: names the option, the value and what is allowed. */
export class VigilConfigError extends VigilError {
  readonly option: string;
  readonly value: unknown;
  readonly allowed: string;

  constructor(option: string, value: unknown, allowed: string, code: ErrorCode = ErrorCodes.INVALID_OPTION) {
    super(code, `option ${option} has value ${formatValue(value)}; allowed: ${allowed}`);
    this.name = 'VigilConfigError';
    this.option = option;
    this.value = value;
    this.allowed = allowed;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
