import type { ServerResponse } from 'node:http';

/** A server request between its start and its finish, linked into the list of those in flight. */
export interface InFlightEntry<T> {
  readonly response: ServerResponse;
  previous: T | undefined;
  next: T | undefined;
}

/**
 * The server requests in flight, as an intrusive list: adding and removing cost a few property
 * writes and no hashing (each user finds its entry through a property of its own on the request
 * or response), while aborted requests, which never finish, can still be found by walking it.
 */
export class InFlightList<T extends InFlightEntry<T>> {
  private head: T | undefined;
  size = 0;

  add(entry: T): void {
    entry.next = this.head;
    if (this.head !== undefined) this.head.previous = entry;
    this.head = entry;
    this.size++;
  }

  remove(entry: T): void {
    if (entry.previous !== undefined) entry.previous.next = entry.next;
    else this.head = entry.next;
    if (entry.next !== undefined) entry.next.previous = entry.previous;
    entry.previous = entry.next = undefined;
    this.size--;
  }

  /** Every entry, newest first. */
  entries(): T[] {
    const found: T[] = [];
    for (let entry = this.head; entry !== undefined; entry = entry.next) found.push(entry);
    return found;
  }

  /** Entries whose response was destroyed before it finished. */
  aborted(): T[] {
    const found: T[] = [];
    for (let entry = this.head; entry !== undefined; entry = entry.next) {
      if (entry.response.destroyed && !entry.response.writableFinished) found.push(entry);
    }
    return found;
  }
}
