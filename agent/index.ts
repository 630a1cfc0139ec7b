import { startAgent, type VigilHandle } from './agent';
import type { VigilOptions } from './config/options';
import { resolveConfig } from './config/resolve';

let current: VigilHandle | undefined;

/**
 * Starts the agent once per process and returns its handle; later calls return the same handle
 * until it is shut down. Throws VigilConfigError when an option or variable is invalid.
 */
export function init(options?: VigilOptions): VigilHandle {
  if (current !== undefined) return current;
  const config = resolveConfig(options);
  const handle = startAgent(config, () => {
    if (current === handle) current = undefined;
  });
  current = handle;
  return handle;
}

export { ErrorCodes, VigilConfigError, VigilError } from './errors';
export type { ErrorCode } from './errors';
export type { VigilHandle } from './agent';
export type { Logger } from './logging';
export type { LogLevel, ServiceIdentity, Tier, TracesExporter, TracesSampler, UnhandledRejections, VigilConfig, VigilOptions } from './config/options';
