import type { Admin } from 'kafkajs';
import type { LagSample } from './metrics';

const READ_TIMEOUT_MS = 3000;

/**
 * Consumer lag of the partitions assigned to this member: the partition's end offset minus the
 * group's committed offset. Read from Kafka when asked; a slow or absent Kafka yields the last
 * known values instead of holding the scrape.
 */
export class LagReader {
  private assignment: ReadonlyMap<string, readonly number[]> = new Map();
  private last: readonly LagSample[] = [];

  constructor(
    private readonly admin: Admin,
    private readonly groupId: string,
  ) {}

  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.assignment = new Map(Object.entries(assignment));
    this.last = [];
  }

  async read(): Promise<readonly LagSample[]> {
    if (this.assignment.size === 0) return [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)));
    try {
      this.last = (await Promise.race([this.fetch(), timeout])) ?? this.last;
    } catch {
      // Kafka unreachable: the last values stand until it answers again.
    } finally {
      clearTimeout(timer);
    }
    return this.last;
  }

  private async fetch(): Promise<LagSample[]> {
    const topics = [...this.assignment.keys()];
    const committed = await this.admin.fetchOffsets({ groupId: this.groupId, topics });
    const samples: LagSample[] = [];
    for (const topic of topics) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const groupOffsets = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const partition of this.assignment.get(topic) ?? []) {
        const end = ends.find((entry) => entry.partition === partition);
        if (end === undefined) continue;
        const offset = Number(groupOffsets.find((entry) => entry.partition === partition)?.offset ?? -1);
        const from = offset >= 0 ? offset : Number(end.low);
        samples.push({ topic, partition, lag: Math.max(0, Number(end.high) - from) });
      }
    }
    return samples;
  }
}
