/** A FIFO of lines with a byte count, taken from the front in O(1). */
export class LineQueue {
  private lines: string[] = [];
  private head = 0;
  private byteCount = 0;

  get bytes(): number {
    return this.byteCount;
  }

  get length(): number {
    return this.lines.length - this.head;
  }

  push(line: string): void {
    this.lines.push(line);
    this.byteCount += line.length + 1;
  }

  /** Removes lines from the front until `maxBytes` would be passed; at least one line when any is queued. */
  take(maxBytes: number): string[] {
    const taken: string[] = [];
    let bytes = 0;
    while (this.head < this.lines.length) {
      const line = this.lines[this.head] as string;
      const size = line.length + 1;
      if (taken.length > 0 && bytes + size > maxBytes) break;
      taken.push(line);
      bytes += size;
      this.head++;
    }
    this.byteCount -= bytes;
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    return taken;
  }
}
