import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Nice value of the shipping thread. On a machine with idle cores it changes nothing; when the CPU
 * is saturated the service's own threads get about three times the worker's share, and the lines
 * wait in the buffer and spool instead. (At 10 the worker starved outright on a saturated machine.)
 */
const SHIPPING_NICENESS = 5;

/**
 * Lowers the priority of the calling thread only. On Linux a thread's id, as /proc/thread-self
 * names it, is accepted wherever a process id is, so setpriority() applies to this thread alone.
 * Elsewhere, or without permission, the thread keeps its priority.
 */
export function lowerThreadPriority(niceness = SHIPPING_NICENESS): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, niceness);
  } catch {
    // Not Linux, or not allowed: shipping still works, only at normal priority.
  }
}
