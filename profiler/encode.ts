import { gzipSync } from 'node:zlib';
import { Label, type Profile } from 'pprof-format';
import type { ProfileIdentity } from './options';
import type { ProfilerCpuClock } from './overhead';

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
 * form `go tool pprof`, Parca and Pyroscope read. Compression runs on the main thread on purpose:
 * a profile is tens of kilobytes, done in about a millisecond, and only there is its CPU time
 * measured exactly and booked on the profiler's clock.
 */
export function encodeProfile(profile: Profile, identity: ProfileIdentity, clock: ProfilerCpuClock): Buffer {
  return clock.measure(() => {
    const labels = Object.entries(identityLabels(identity)).map(
      ([key, value]) => new Label({ key: profile.stringTable.dedup(key), str: profile.stringTable.dedup(value) }),
    );
    for (const sample of profile.sample) sample.label.push(...labels);
    return gzipSync(profile.encode());
  });
}
