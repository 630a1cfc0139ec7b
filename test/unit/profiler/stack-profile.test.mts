import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Profile } from 'pprof-format';
import { stackProfile } from '../../../dist/profiler/stall/stack-profile.js';

const leaf = { functionName: 'hashPassword', url: 'file:///app/auth.js', line: 12 };
const handler = { functionName: '', url: 'file:///app/server.js', line: 40 };
const idle = { functionName: 'readConfig', url: 'file:///app/config.js', line: 3 };

describe('stall stack profile', () => {
  it('counts identical stacks together and values each sample at the sampling interval', () => {
    const profile = stackProfile([[leaf, handler], [leaf, handler], [idle, handler]], 50, Date.UTC(2026, 0, 1), 150, { service: 'songs' });
    const decoded = Profile.decode(profile.encode());
    const strings = decoded.stringTable.strings;
    const nameOfLocation = (id: number | bigint) => {
      const location = decoded.location.find((candidate) => Number(candidate.id) === Number(id))!;
      const fn = decoded.function.find((candidate) => Number(candidate.id) === Number(location.line[0]!.functionId))!;
      return strings[Number(fn.name)];
    };
    assert.deepEqual(decoded.sampleType.map((type) => `${strings[Number(type.type)]}/${strings[Number(type.unit)]}`), ['samples/count', 'wall/nanoseconds']);
    const bySample = decoded.sample.map((sample) => ({
      stack: sample.locationId.map(nameOfLocation),
      values: sample.value.map(Number),
      labels: sample.label.map((label) => `${strings[Number(label.key)]}=${strings[Number(label.str)]}`),
    }));
    assert.deepEqual(bySample, [
      { stack: ['hashPassword', '(anonymous)'], values: [2, 100_000_000], labels: ['service=songs'] },
      { stack: ['readConfig', '(anonymous)'], values: [1, 50_000_000], labels: ['service=songs'] },
    ]);
  });

});
