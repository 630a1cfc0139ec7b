import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Traffic } from '../traffic';

/** A server request between its start and its finish (or its abort, found later). */
export interface ServerCall {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly startedAt: number;
  readonly method: string;
  readonly traffic: Traffic;
  readonly active: { value: number };
  previous: ServerCall | undefined;
  next: ServerCall | undefined;
}

const CALL = Symbol('vigil.serverCall');

interface ResponseWithCall extends ServerResponse {
  [CALL]?: ServerCall;
}

/**
 * The requests in flight: each call hangs off its response and is linked into one list, so that
 * start and finish cost a few property writes and no hashing, while aborted calls (which never
 * finish) can still be found by walking the list.
 */
export class InFlightCalls {
  private head: ServerCall | undefined;
  size = 0;

  add(call: ServerCall): void {
    call.next = this.head;
    if (this.head !== undefined) this.head.previous = call;
    this.head = call;
    this.size++;
    (call.response as ResponseWithCall)[CALL] = call;
  }

  of(response: ServerResponse): ServerCall | undefined {
    return (response as ResponseWithCall)[CALL];
  }

  remove(call: ServerCall): void {
    // Written rather than deleted: deleting a property would move every response to a slower shape.
    (call.response as ResponseWithCall)[CALL] = undefined;
    if (call.previous !== undefined) call.previous.next = call.next;
    else this.head = call.next;
    if (call.next !== undefined) call.next.previous = call.previous;
    call.previous = call.next = undefined;
    this.size--;
  }

  /** Calls whose response was destroyed before it finished. */
  aborted(): ServerCall[] {
    const found: ServerCall[] = [];
    for (let call = this.head; call !== undefined; call = call.next) {
      if (call.response.destroyed && !call.response.writableFinished) found.push(call);
    }
    return found;
  }
}
