import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ProfileStore } from '../../../dist/profiler/store.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-store-'));
  dirs.push(dir);
  return dir;
}

describe('rolling profile store', () => {
  it('writes each profile as a file named by time, kind and trigger', async () => {
    const dir = await tempDir();
    const store = new ProfileStore(dir, 1024 * 1024);
    const name = await store.add(new Date('2026-01-02T03:04:05.678Z'), 'cpu', 'load', Buffer.from('profile bytes'));
    assert.equal(name, '20260102T030405.678Z-cpu-load.pb.gz');
    assert.equal(await readFile(join(dir, name), 'utf8'), 'profile bytes');
    assert.equal(store.bytes, 13);
  });

  it('removes the oldest profiles once the cap is passed', async () => {
    const dir = await tempDir();
    const store = new ProfileStore(dir, 250);
    for (let second = 0; second < 5; second++) {
      await store.add(new Date(Date.UTC(2026, 0, 1, 0, 0, second)), 'heap', 'baseline', Buffer.alloc(100));
    }
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['20260101T000003.000Z-heap-baseline.pb.gz', '20260101T000004.000Z-heap-baseline.pb.gz']);
    assert.equal(store.bytes, 200);
  });

  it('keeps two profiles of the same millisecond apart', async () => {
    const store = new ProfileStore(await tempDir(), 1024);
    const at = new Date('2026-01-01T00:00:00.000Z');
    const first = await store.add(at, 'cpu', 'stall', Buffer.from('a'));
    const second = await store.add(at, 'cpu', 'stall', Buffer.from('b'));
    assert.notEqual(first, second);
    assert.equal(store.list().length, 2);
  });

  it('counts what an earlier run left, and leaves files that are not profiles alone', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '20250101T000000.000Z-cpu-baseline.pb.gz'), Buffer.alloc(300));
    await writeFile(join(dir, 'notes.txt'), 'not a profile');
    const store = new ProfileStore(dir, 1000);
    await store.flush();
    assert.equal(store.bytes, 300);
    await store.add(new Date('2026-01-01T00:00:00.000Z'), 'cpu', 'load', Buffer.alloc(800));
    assert.deepEqual((await readdir(dir)).sort(), ['20260101T000000.000Z-cpu-load.pb.gz', 'notes.txt']);
  });
});
