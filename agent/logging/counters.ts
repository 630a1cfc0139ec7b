import { Slot } from './protocol';

type SlotIndex = (typeof Slot)[keyof typeof Slot];

/** The shared counters seen from either thread. */
export class SharedCounters {
  private readonly slots: BigInt64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.slots = new BigInt64Array(buffer);
  }

  read(slot: SlotIndex): number {
    return Number(Atomics.load(this.slots, slot));
  }

  add(slot: SlotIndex, count: number): void {
    if (count === 0) return;
    Atomics.add(this.slots, slot, BigInt(count));
  }

  /** Counts lines whose fate is final and wakes an exit path waiting on them. */
  settle(count: number): void {
    this.add(Slot.settled, count);
    Atomics.notify(this.slots, Slot.settled);
  }

  /**
   * Blocks the calling thread until at least `target` lines are settled or `deadline` (epoch ms)
   * passes. Only for the exit path, where the event loop has already stopped.
   */
  waitSettled(target: number, deadline: number): boolean {
    for (;;) {
      const current = Atomics.load(this.slots, Slot.settled);
      if (Number(current) >= target) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      Atomics.wait(this.slots, Slot.settled, current, remaining);
    }
  }
}
