import { mkdir, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PROFILE_FILE = /^\d{8}T\d{6}\.\d{3}Z-(cpu|heap)-[a-z_]+(-\d+)?\.pb\.gz$/;

export interface StoredProfile {
  readonly name: string;
  readonly bytes: number;
}

/**
 * A size-capped rolling store of profiles in one folder: each profile one gzipped pprof file named
 * after its time, kind and trigger; the oldest go first when the cap is reached. Writes run one
 * after another on a queue, so sizes stay exact and the event loop is never blocked.
 */
export class ProfileStore {
  private readonly files: StoredProfile[] = [];
  private size = 0;
  private queue: Promise<unknown>;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
  ) {
    this.queue = this.load();
  }

  /** Bytes held on disk by stored profiles. */
  get bytes(): number {
    return this.size;
  }

  /** Stored profiles, oldest first. */
  list(): readonly StoredProfile[] {
    return [...this.files];
  }

  /** Writes one profile and evicts the oldest beyond the cap; resolves to its file name. */
  add(at: Date, kind: string, trigger: string, data: Buffer): Promise<string> {
    const write = this.queue.then(async () => {
      const name = this.freeName(`${compactTime(at)}-${kind}-${trigger}`);
      // Written aside and renamed, so that a reader of the folder never sees half a profile.
      await writeFile(this.partial(name), data);
      await rename(this.partial(name), join(this.dir, name));
      this.files.push({ name, bytes: data.length });
      this.size += data.length;
      await this.evict();
      return name;
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  /**
   * Writes one profile at once, blocking: for a process about to run out of memory, which may not
   * live to see a queued write through. Eviction waits for the queue.
   */
  addNow(at: Date, kind: string, trigger: string, data: Buffer): string {
    const name = this.freeName(`${compactTime(at)}-${kind}-${trigger}`);
    writeFileSync(this.partial(name), data);
    renameSync(this.partial(name), join(this.dir, name));
    this.files.push({ name, bytes: data.length });
    this.size += data.length;
    this.queue = this.queue.then(() => this.evict());
    return name;
  }

  /** Resolves once every write queued so far has finished. */
  async flush(): Promise<void> {
    await this.queue;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((name) => PROFILE_FILE.test(name)).sort();
    for (const name of names) {
      const { size } = await stat(join(this.dir, name));
      this.files.push({ name, bytes: size });
      this.size += size;
    }
    await this.evict();
  }

  private async evict(): Promise<void> {
    while (this.size > this.maxBytes && this.files.length > 0) {
      const oldest = this.files.shift()!;
      this.size -= oldest.bytes;
      await unlink(join(this.dir, oldest.name)).catch(() => undefined);
    }
  }

  private partial(name: string): string {
    return join(this.dir, `.${name}.partial`);
  }

  private freeName(base: string): string {
    let name = `${base}.pb.gz`;
    for (let n = 1; this.files.some((file) => file.name === name); n++) name = `${base}-${n}.pb.gz`;
    return name;
  }
}

/** 2026-01-02T03:04:05.678Z → 20260102T030405.678Z: sortable, and safe in every file system. */
function compactTime(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
}
