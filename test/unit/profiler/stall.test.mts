import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { labelStallSamples, stallProfile, type Stall } from '../../../dist/profiler/stall.js';

// The agent is CommonJS, so it takes pprof-format's CommonJS build, whose classes the ESM build's do not match.
type PprofFormat = typeof import('pprof-format', { with: { 'resolution-mode': 'require' } });
const { Label, Profile, Sample, StringTable } = createRequire(import.meta.url)('pprof-format') as PprofFormat;
type Profile = InstanceType<PprofFormat['Profile']>;

const stall: Stall = { startedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)), endedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 2)) };
/** Microseconds since the epoch, as V8's sampler stamps samples, `ms` after the stall began. */
const sampledAt = (ms: number) => BigInt(Date.UTC(2026, 0, 1, 12) + ms) * 1000n;
const spanLabels = ({ context }: { context?: { context?: unknown } }): Record<string, string> => (context?.context === 7 ? { trace_id: 'abc' } : {});

/** A window of three samples at locations 1, 2 and 3, the first two labelled as `labels` says. */
function windowOf(labels: Array<Record<string, string>>): Profile {
  const stringTable = new StringTable();
  const sample = [1, 2, 3].map(
    (location, i) =>
      new Sample({
        locationId: [location],
        value: [1, 50_000_000],
        label: Object.entries(labels[i] ?? {}).map(([key, value]) => new Label({ key: stringTable.dedup(key), str: stringTable.dedup(value) })),
      }),
  );
  return new Profile({ sample, stringTable });
}

function labelsOf(profile: Profile): string[][] {
  const strings = profile.stringTable.strings;
  return profile.sample.map((sample) => sample.label.map((label) => `${strings[Number(label.key)]}=${strings[Number(label.str)]}`));
}

describe('stall profiles', () => {
  it('marks the samples taken during the stall, keeping their other labels', () => {
    const labels = labelStallSamples(stall, spanLabels);
    assert.deepEqual(labels({ context: { context: 7, timestamp: sampledAt(0) } }), { trace_id: 'abc', stall: 'true' });
    assert.deepEqual(labels({ context: { context: undefined, timestamp: sampledAt(1500) } }), { stall: 'true' });
    assert.deepEqual(labels({ context: { context: 7, timestamp: sampledAt(-1) } }), { trace_id: 'abc' });
    assert.deepEqual(labels({ context: { context: undefined, timestamp: sampledAt(2001) } }), {});
    assert.deepEqual(labels({}), {});
  });

  it('cuts the marked samples out of the window, leaving the window as it was', () => {
    const window = windowOf([{ stall: 'true', trace_id: 'abc' }, { stall: 'true' }]);
    const profile = stallProfile(window, stall, true);
    assert.ok(profile);
    assert.deepEqual(
      profile.sample.map((sample) => sample.locationId.map(Number)),
      [[1], [2]],
    );
    assert.equal(profile.timeNanos, 1_767_268_800_000_000_000n);
    assert.equal(profile.durationNanos, 2_000_000_000n);
    profile.sample[0]!.label.push(new Label({ key: profile.stringTable.dedup('service'), str: profile.stringTable.dedup('songs') }));
    assert.deepEqual(labelsOf(window), [['stall=true', 'trace_id=abc'], ['stall=true'], []]);
  });

  it('keeps no profile when no sample was taken during the stall', () => {
    assert.equal(stallProfile(windowOf([{ trace_id: 'abc' }]), stall, true), undefined);
  });

  it('takes the whole window where samples keep no time', () => {
    const profile = stallProfile(windowOf([]), stall, false);
    assert.deepEqual(profile?.sample.length, 3);
  });
});
