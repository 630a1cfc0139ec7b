import { Function as PprofFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';

/** One frame of a sampled stack, as the inspector reports it. */
export interface StackFrame {
  readonly functionName: string;
  readonly url: string;
  /** 1-based line. */
  readonly line: number;
}

/**
 * Builds a pprof profile from stacks sampled every `intervalMs` (each stack leaf first): sample
 * count and wall time, so `go tool pprof -top` ranks functions by the time they held the thread.
 */
export function stackProfile(
  stacks: readonly (readonly StackFrame[])[],
  intervalMs: number,
  startedAt: number,
  durationMs: number,
  labels: Readonly<Record<string, string>> = {},
): Profile {
  const strings = new StringTable();
  const sampleLabels = Object.entries(labels).map(([key, value]) => new Label({ key: strings.dedup(key), str: strings.dedup(value) }));
  const functions = new Map<string, PprofFunction>();
  const locations = new Map<string, Location>();

  const locationOf = (frame: StackFrame): number => {
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const functionKey = `${name}\u0000${frame.url}`;
    let fn = functions.get(functionKey);
    if (fn === undefined) {
      fn = new PprofFunction({ id: functions.size + 1, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(frame.url) });
      functions.set(functionKey, fn);
    }
    const locationKey = `${functionKey}\u0000${frame.line}`;
    let location = locations.get(locationKey);
    if (location === undefined) {
      location = new Location({ id: locations.size + 1, line: [new Line({ functionId: fn.id, line: frame.line })] });
      locations.set(locationKey, location);
    }
    return Number(location.id);
  };

  const intervalNanos = Math.round(intervalMs * 1e6);
  const samples = new Map<string, Sample>();
  for (const stack of stacks) {
    const ids = stack.map(locationOf);
    const key = ids.join(',');
    const sample = samples.get(key);
    if (sample === undefined) {
      samples.set(key, new Sample({ locationId: ids, value: [1, intervalNanos], label: sampleLabels }));
    } else {
      sample.value = [Number(sample.value[0]) + 1, Number(sample.value[1]) + intervalNanos];
    }
  }

  return new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') }),
    ],
    sample: [...samples.values()],
    location: [...locations.values()],
    function: [...functions.values()],
    stringTable: strings,
    timeNanos: BigInt(Math.round(startedAt)) * 1_000_000n,
    durationNanos: Math.round(durationMs * 1e6),
    periodType: new ValueType({ type: strings.dedup('wall'), unit: strings.dedup('nanoseconds') }),
    period: intervalNanos,
  });
}
