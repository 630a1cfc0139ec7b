import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Label, type Profile } from 'pprof-format';
import type { ProfileIdentity } from './options';
import type { ProfilerCpuClock } from './overhead';

const gzipAsync = promisify(gzip);

/** The identity labels every sample carries, so a profile found alone still says whose it is. */
export function identityLabels(identity: ProfileIdentity): Record<string, string> {
  return {
    service: identity.service,
    version: identity.version,
    environment: identity.environment,
    tier: String(identity.tier),
  };
}

/**
 * Labels every sample with the service identity and serializes the profile as gzipped protobuf, the
 * form `go tool pprof`, Parca and Pyroscope read. Serializing is booked on the profiler's clock;
 * compression runs off the main thread and its wall time is booked as CPU, which it nearly is.
 */
export async function encodeProfile(profile: Profile, identity: ProfileIdentity, clock: ProfilerCpuClock): Promise<Buffer> {
  const raw = clock.measure(() => {
    const labels = Object.entries(identityLabels(identity)).map(
      ([key, value]) => new Label({ key: profile.stringTable.dedup(key), str: profile.stringTable.dedup(value) }),
    );
    for (const sample of profile.sample) sample.label.push(...labels);
    return profile.encode();
  });
  const startedAt = performance.now();
  const compressed = await gzipAsync(raw);
  clock.add((performance.now() - startedAt) / 1000);
  return compressed;
}
