/** What the sink needs from Kafka; injectable so unit tests can stand in for a broker. */
export interface LogProducer {
  connect(): Promise<void>;
  /** Resolves once every message is acknowledged by all in-sync replicas. */
  send(batches: readonly TopicLines[]): Promise<void>;
  /** Drops the connection after a failure so the next attempt starts clean. */
  disconnect(): Promise<void>;
}

export interface TopicLines {
  readonly topic: string;
  readonly lines: readonly string[];
}
