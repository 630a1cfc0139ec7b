import { hostname } from 'node:os';
import type { LoggerOptions } from 'pino';
import type { ServiceIdentity } from '../config/options';
import { censorSecrets } from './redaction';

/** The Elastic Common Schema version the field names follow. */
export const ECS_VERSION = '8.11.0';

/**
 * pino options that write Elastic Common Schema records: `@timestamp`, `log.level`, `message`,
 * the service identity and `error.*`, so Elasticsearch and Kibana read them without mapping work.
 * Secrets are censored before anything else sees the record.
 */
export function ecsOptions(identity: ServiceIdentity): LoggerOptions<never, boolean> {
  return {
    messageKey: 'message',
    timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
    base: {
      'ecs.version': ECS_VERSION,
      'service.name': identity.service,
      'service.version': identity.version,
      'service.environment': identity.environment,
      'service.tier': identity.tier,
      'process.pid': process.pid,
      'host.hostname': hostname(),
    },
    formatters: {
      level: (label) => ({ 'log.level': label }),
      log: (record) => errorFields(censorSecrets(record)),
    },
  };
}

/** pino puts an error under `err`; ECS wants it as `error.type`, `error.message`, `error.stack_trace`. */
function errorFields(record: Record<string, unknown>): Record<string, unknown> {
  const error = record.err;
  if (!(error instanceof Error)) return record;
  const { err: _err, ...rest } = record;
  const fields: Record<string, unknown> = { ...rest, 'error.type': error.name, 'error.message': error.message };
  if (error.stack !== undefined) fields['error.stack_trace'] = error.stack;
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) fields['error.code'] = String(code);
  return fields;
}
