import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Diag } from '../../../dist/agent/diag.js';
import { SharedCounters } from '../../../dist/agent/logging/counters.js';
import type { LogProducer, TopicLines } from '../../../dist/agent/logging/producer.js';
import { SLOT_COUNT, Slot, type ShipperSettings } from '../../../dist/agent/logging/protocol.js';
import { LogSink, MAX_LINE_BYTES } from '../../../dist/agent/logging/sink.js';
import { Spool } from '../../../dist/agent/logging/spool.js';

const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sink-'));
  dirs.push(dir);
  return dir;
}

/** Stands in for a broker: records what it acknowledged, and can be taken down and brought back. */
class FakeKafka implements LogProducer {
  readonly received: TopicLines[] = [];
  down = false;
  async connect(): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED');
  }
  async send(batches: readonly TopicLines[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (this.down) throw new Error('broker not available');
    this.received.push(...batches);
  }
  async disconnect(): Promise<void> {}
  lines(topic = 'logs'): string[] {
    return this.received.filter((batch) => batch.topic === topic).flatMap((batch) => batch.lines);
  }
}

function recordingDiag(): Diag & { lines: string[] } {
  const lines: string[] = [];
  const states = new Map<string, string>();
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warn: (message) => lines.push(`warn: ${message}`),
    state(key, state, message) {
      if (states.get(key) === state) return;
      states.set(key, state);
      lines.push(`${state}: ${message}`);
    },
  };
}

function setup(overrides: Partial<ShipperSettings> = {}, kafka = new FakeKafka()) {
  const settings: ShipperSettings = {
    brokers: ['127.0.0.1:9'],
    topic: 'logs',
    key: 'svc',
    clientId: 'test',
    spoolDir: tempDir(),
    spoolMaxBytes: 1024 * 1024,
    bufferMaxBytes: 64 * 1024,
    batchMaxBytes: 8 * 1024,
    lingerMs: 1,
    ...overrides,
  };
  const counters = new SharedCounters(new SharedArrayBuffer(SLOT_COUNT * 8));
  const diag = recordingDiag();
  const sink = new LogSink({ settings, counters, producer: kafka, spool: new Spool(settings.spoolDir, settings.spoolMaxBytes, 16 * 1024), diag });
  let sent = 0;
  const log = (count: number, shadow = false) => {
    let text = '';
    for (let i = 0; i < count; i++) text += JSON.stringify({ seq: sent++, pad: 'x'.repeat(40) }) + '\n';
    sink.handle(shadow ? { type: 'lines', live: '', shadow: text, bytes: text.length } : { type: 'lines', live: text, shadow: '', bytes: text.length });
  };
  return { sink, kafka, counters, diag, settings, log, sent: () => sent };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const seqs = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { seq: number }).seq);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('log sink', () => {
  it('ships every line in order, shadow lines to <topic>-shadow, and counts them shipped and settled', async () => {
    const { kafka, counters, log } = setup();
    log(3000);
    log(10, true);
    await until(() => counters.read(Slot.settled) === 3010);
    assert.deepEqual(seqs(kafka.lines()), range(3000));
    assert.deepEqual(seqs(kafka.lines('logs-shadow')), range(10).map((i) => 3000 + i));
    assert.equal(counters.read(Slot.shipped), 3010);
    assert.ok(kafka.received.length > 1, 'lines travel in several batches');
  });

  it('keeps order through an outage: buffer, then spool, replayed first when Kafka returns', async () => {
    const { kafka, counters, log, diag } = setup();
    kafka.down = true;
    for (let i = 0; i < 20; i++) log(500);
    assert.ok(counters.read(Slot.spooled) > 0, 'the buffer overflowed into the spool');
    await until(() => diag.lines.some((line) => line.startsWith('down:')));
    for (let i = 0; i < 4; i++) log(500);
    assert.equal(kafka.lines().length, 0);
    kafka.down = false;
    await until(() => counters.read(Slot.settled) === 12_000);
    assert.deepEqual(seqs(kafka.lines()), range(12_000));
    assert.equal(counters.read(Slot.droppedSpoolFull), 0);
    assert.equal(diag.lines.filter((line) => line.startsWith('down:')).length, 1, diag.lines.join('\n'));
    assert.equal(diag.lines.filter((line) => line.startsWith('ok:') && line.includes('Kafka')).length, 1);
  });

  it('drops what passes the spool cap, counts exactly those, and says so once', async () => {
    const { kafka, counters, log, diag, settings } = setup({ spoolMaxBytes: 100 * 1024 });
    kafka.down = true;
    for (let i = 0; i < 40; i++) log(500);
    await until(() => counters.read(Slot.droppedSpoolFull) > 0);
    kafka.down = false;
    await until(() => counters.read(Slot.settled) === 20_000);
    const arrived = seqs(kafka.lines());
    assert.equal(arrived.length + counters.read(Slot.droppedSpoolFull), 20_000);
    assert.equal(new Set(arrived).size, arrived.length, 'no duplicates');
    assert.deepEqual(arrived, [...arrived].sort((a, b) => a - b), 'still in order');
    assert.equal(diag.lines.filter((line) => line.startsWith('full:')).length, 1, diag.lines.join('\n'));
    assert.deepEqual(readdirSync(settings.spoolDir), [], 'replayed segments are removed');
  });

  it('drops a line too large for Kafka and counts it', async () => {
    const { kafka, counters, sink } = setup();
    const huge = 'y'.repeat(MAX_LINE_BYTES + 1);
    const text = `{"seq":0}\n"${huge}"\n{"seq":1}\n`;
    sink.handle({ type: 'lines', live: text, shadow: '', bytes: text.length });
    await until(() => counters.read(Slot.settled) === 3);
    assert.equal(counters.read(Slot.droppedTooLarge), 1);
    assert.deepEqual(seqs(kafka.lines()), [0, 1]);
  });

  it('on exit with Kafka down, spills everything to the spool, and the next process replays it', async () => {
    const first = setup();
    first.kafka.down = true;
    first.log(2000);
    await until(() => first.diag.lines.some((line) => line.startsWith('down:')));
    first.sink.handle({ type: 'exit', deadline: Date.now() + 5000 });
    await until(() => first.counters.read(Slot.settled) === 2000, 2000);
    assert.equal(first.kafka.lines().length, 0);

    // Segments written under this test's own pid count as left behind by a process that is gone.
    const next = setup({ spoolDir: first.settings.spoolDir });
    await until(() => next.kafka.lines().length === 2000);
    assert.deepEqual(seqs(next.kafka.lines()), range(2000));
    assert.ok(next.diag.lines.some((line) => line.includes('earlier process')));
  });
});
