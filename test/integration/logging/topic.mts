// Reading what reached Kafka, the way an operator would: with kcat (Debian's package).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);

export interface KafkaRecord {
  readonly key: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: string;
}

/** A fresh topic with several partitions, so "in order per key" means something. */
export async function createTopic(brokers: readonly string[], partitions = 3): Promise<string> {
  const topic = `logs-${randomUUID().slice(0, 8)}`;
  const admin = new Kafka({ clientId: 'vigil-test', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }, { topic: `${topic}-shadow`, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  return topic;
}

/** Every record in `topic` now, read from the beginning to the end with kcat. */
export async function readTopic(brokers: readonly string[], topic: string): Promise<KafkaRecord[]> {
  const { stdout } = await run('kcat', ['-b', brokers.join(','), '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%p\t%o\t%s\n'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [key = '', partition = '', offset = '', ...value] = line.split('\t');
      return { key, partition: Number(partition), offset: Number(offset), value: value.join('\t') };
    });
}

/** Reads `topic` until it holds at least `count` records or `timeoutMs` passes; returns what it holds then. */
export async function waitForRecords(brokers: readonly string[], topic: string, count: number, timeoutMs: number): Promise<KafkaRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let records = await readTopic(brokers, topic);
  while (records.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    records = await readTopic(brokers, topic);
  }
  return records;
}

export interface SequenceCheck {
  readonly missing: number[];
  readonly duplicates: number;
  /** First sightings of a seq lower than one already seen in the same partition. */
  readonly outOfOrder: number;
}

/** Checks the `seq` field of each record against 0..expected-1. */
export function checkSequence(records: readonly KafkaRecord[], expected: number): SequenceCheck {
  const seen = new Uint8Array(expected);
  let duplicates = 0;
  let outOfOrder = 0;
  const lastInPartition = new Map<number, number>();
  for (const record of records) {
    const seq = (JSON.parse(record.value) as { seq: number }).seq;
    const last = lastInPartition.get(record.partition) ?? -1;
    // A line re-sent after a lost acknowledgement repeats an earlier seq: a duplicate, not disorder.
    if (seen[seq] === 1) duplicates++;
    else if (seq < last) outOfOrder++;
    seen[seq] = 1;
    lastInPartition.set(record.partition, Math.max(last, seq));
  }
  const missing: number[] = [];
  for (let seq = 0; seq < expected; seq++) if (seen[seq] !== 1) missing.push(seq);
  return { missing, duplicates, outOfOrder };
}
