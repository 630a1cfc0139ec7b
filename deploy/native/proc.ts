import { readdirSync, readFileSync } from 'node:fs';

interface ProcessStat {
  readonly state: string;
  readonly processGroup: number;
  /** Clock ticks since boot. */
  readonly startTime: string;
}

function readStat(pid: number): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'; the first
    // of them is field 3 of proc(5).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', processGroup: Number(fields[2]), startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * When the living process `pid` started, or undefined when it is gone. A zombie counts as gone: a
 * service whose parent exited may be reparented to an init that does not reap. A recorded pid
 * together with its start time cannot be mistaken for a later process that reused the pid.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat && stat.state !== 'Z' ? stat.startTime : undefined;
}

/** True while any living (non-zombie) process belongs to process group `group`. */
export function groupHasLivingMember(group: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.processGroup === group && stat.state !== 'Z') return true;
  }
  return false;
}
