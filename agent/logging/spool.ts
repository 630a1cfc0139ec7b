import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

interface Segment {
  readonly path: string;
  bytes: number;
}

/** A segment taken out for replay. Its file stays on disk until release(), so a crash replays it again. */
export interface SpoolReplay {
  readonly lines: readonly string[];
  release(): void;
}

const SEGMENT_NAME = /^(\d+)-\d+-\d+\.spool$/;

/**
 * The size-capped on-disk spool: newline-separated lines in segment files, oldest first. A process
 * names its segments after its pid, so segments left behind by a process that died are adopted and
 * replayed by the next one, while those of a live sibling process are left alone.
 */
/** Whether `dir` holds spooled lines, of this process or an earlier one; an unreadable dir holds none. */
export function spoolHoldsLines(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => SEGMENT_NAME.test(name));
  } catch {
    return false;
  }
}

export class Spool {
  private readonly segments: Segment[] = [];
  private writable: Segment | undefined;
  private bytesHeld = 0;
  private sequence = 0;
  private readonly prefix = `${process.pid}-${Date.now()}`;
  private readonly unusable: Error | undefined;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes = 1024 * 1024,
  ) {
    try {
      mkdirSync(dir, { recursive: true });
      this.adoptOrphans();
    } catch (error) {
      // Reported on the first append, which is when a spool is needed at all.
      this.unusable = error as Error;
    }
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  /**
   * Appends `lines` in order, as many as fit under the cap; returns how many were written.
   * Throws when the disk refuses the write (full disk, permissions).
   */
  append(lines: readonly string[]): number {
    if (this.unusable !== undefined) throw this.unusable;
    let fitting = 0;
    let bytes = 0;
    for (const line of lines) {
      const size = Buffer.byteLength(line) + 1;
      if (this.bytesHeld + bytes + size > this.maxBytes) break;
      bytes += size;
      fitting++;
    }
    if (fitting === 0) return 0;
    if (this.writable === undefined || this.writable.bytes >= this.segmentBytes) {
      this.writable = { path: join(this.dir, `${this.prefix}-${String(this.sequence++).padStart(10, '0')}.spool`), bytes: 0 };
      this.segments.push(this.writable);
    }
    const chunk = fitting === lines.length ? lines : lines.slice(0, fitting);
    appendFileSync(this.writable.path, chunk.join('\n') + '\n');
    this.writable.bytes += bytes;
    this.bytesHeld += bytes;
    return fitting;
  }

  /** Takes the oldest segment out for replay; later appends start a new segment. */
  takeOldest(): SpoolReplay | undefined {
    const segment = this.segments.shift();
    if (segment === undefined) return undefined;
    if (segment === this.writable) this.writable = undefined;
    let lines: string[];
    try {
      lines = readFileSync(segment.path, 'utf8').split('\n');
      lines.pop();
    } catch {
      // A sibling that adopted the same orphan already replayed and removed it.
      lines = [];
    }
    return {
      lines,
      release: () => {
        this.bytesHeld -= segment.bytes;
        try {
          unlinkSync(segment.path);
        } catch {
          // Already gone: nothing to free.
        }
      },
    };
  }

  private adoptOrphans(): void {
    const orphans: { path: string; bytes: number; mtime: number; name: string }[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = SEGMENT_NAME.exec(name);
      if (match === null || isAlive(Number(match[1]))) continue;
      const path = join(this.dir, name);
      try {
        const stat = statSync(path);
        orphans.push({ path, bytes: stat.size, mtime: stat.mtimeMs, name });
      } catch {
        // Removed between listing and reading: nothing to adopt.
      }
    }
    orphans.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    for (const { path, bytes } of orphans) {
      this.segments.push({ path, bytes });
      this.bytesHeld += bytes;
    }
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
