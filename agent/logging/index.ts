import pino, { type Logger } from 'pino';
import type { VigilConfig } from '../config/options';
import type { Diag } from '../diag';
import type { MetricsRegistry } from '../metrics/registry';
import { RecordContext } from './context';
import { ecsOptions } from './ecs';
import { registerLogMetrics } from './metrics';
import { CENSOR } from './redaction';
import { KafkaShipper } from './shipper';

export type { Logger } from 'pino';

/** Lines in flight between the main thread and the worker beyond this many bytes are dropped and counted. */
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
const BATCH_MAX_BYTES = 512 * 1024;
/** stdout that does not keep up (a full pipe) may hold this much before lines are dropped. */
const STDOUT_MAX_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 5;

export interface Logging {
  readonly logger: Logger;
  /** Ships or spools every line logged so far, within the budget, and stops the worker. */
  close(signal: AbortSignal): Promise<void>;
}

/** The service's root logger: ECS records with trace ids, to Kafka through a worker, and/or stdout. */
export function startLogging(config: VigilConfig, diag: Diag, registry: MetricsRegistry): Logging {
  const { logs, identity } = config;
  const shipper =
    logs.kafkaBrokers.length === 0
      ? undefined
      : new KafkaShipper(
          {
            brokers: logs.kafkaBrokers,
            topic: logs.topic,
            key: identity.service,
            clientId: `vigil-${identity.service}`,
            spoolDir: logs.spoolDir,
            spoolMaxBytes: logs.spoolMaxBytes,
            bufferMaxBytes: logs.bufferMaxBytes,
            batchMaxBytes: BATCH_MAX_BYTES,
            lingerMs: LINGER_MS,
          },
          MAX_IN_FLIGHT_BYTES,
          config.shutdown.timeoutMs,
          diag,
        );
  if (shipper !== undefined) registerLogMetrics(registry, shipper);
  const stdout = logs.stdout ? pino.destination({ dest: 1, sync: false, maxLength: STDOUT_MAX_BYTES }) : undefined;
  stdout?.on('drop', () => diag.state('log-stdout', 'full', `stdout is not keeping up; log lines are dropped while more than ${STDOUT_MAX_BYTES} bytes wait`));
  const recordContext = new RecordContext();
  const destination = {
    write(line: string): void {
      const shadow = recordContext.lineIsShadow();
      stdout?.write(line);
      shipper?.push(line, shadow);
    },
  };
  const logger = pino(
    {
      ...ecsOptions(identity),
      level: logs.level,
      // The safe defaults are applied by key in ecsOptions; these are the service's own paths.
      redact: logs.redact.length > 0 ? { paths: [...logs.redact], censor: CENSOR } : undefined,
      mixin: recordContext.mixin,
    },
    destination,
  );
  return {
    logger,
    async close(signal) {
      try {
        stdout?.flushSync();
      } catch {
        // stdout closed or busy: the shipper below is what has to finish.
      }
      await shipper?.close(signal);
    },
  };
}
