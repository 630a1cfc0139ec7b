/** Entry of the shipping worker thread: lines in from the main thread, out to Kafka. */
import { parentPort, workerData } from 'node:worker_threads';
import { createDiag } from '../diag';
import { SharedCounters } from './counters';
import { createKafkaProducer } from './kafka-producer';
import { muteNegativeTimeoutWarnings } from './kafkajs-warnings';
import type { ToWorker, WorkerInput } from './protocol';
import { LogSink } from './sink';
import { Spool } from './spool';

muteNegativeTimeoutWarnings();
const { settings, counters } = workerData as WorkerInput;
const sink = new LogSink({
  settings,
  counters: new SharedCounters(counters),
  producer: createKafkaProducer(settings),
  spool: new Spool(settings.spoolDir, settings.spoolMaxBytes),
  diag: createDiag(),
});

parentPort?.on('message', (message: ToWorker) => {
  const done = sink.handle(message);
  if (message.type === 'close') void Promise.resolve(done).finally(() => parentPort?.close());
});
