#!/usr/bin/env node
import { createDiag } from '../../agent/diag';
import { VigilConfigError } from '../../agent/errors';
import { muteNegativeTimeoutWarnings } from '../../agent/logging/kafkajs-warnings';
import { startCollector } from './collector';
import { resolveCollectorConfig, usage } from './config';

/** `vigil-collector`: Kafka log topics to Elasticsearch data streams, until SIGTERM or SIGINT. */
function main(argv: readonly string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  muteNegativeTimeoutWarnings();
  const diag = createDiag();
  let config;
  try {
    config = resolveCollectorConfig(argv);
  } catch (error) {
    if (!(error instanceof VigilConfigError)) throw error;
    process.stderr.write(`vigil-collector: ${error.message}\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  const collector = startCollector(config, {
    diag,
    onFatal(error) {
      diag.warn(`collector: consumer stopped for good (${error.message}); exiting so a supervisor restarts it`);
      void collector.stop().finally(() => process.exit(1));
    },
  });
  const stop = (signal: NodeJS.Signals) => {
    diag.info(`collector: ${signal} received; finishing the bulk in flight, committing, leaving the group`);
    void collector.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2));
