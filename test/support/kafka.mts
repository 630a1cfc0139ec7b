import { muteNegativeTimeoutWarnings } from '../../dist/agent/logging/kafkajs-warnings.js';
import { useService } from './stack-state.mts';

// Test files that use the broker talk to it through kafkajs too; its negative timer would print a
// warning in the test log that says nothing about the test, as it would in Vigil's own Kafka threads.
muteNegativeTimeoutWarnings();

export interface KafkaService {
  readonly brokers: string[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The run's Kafka broker (KRaft, one node), started on first use. */
export async function useKafka(): Promise<KafkaService> {
  const { endpoints, stop, start } = await useService('kafka');
  return { brokers: (endpoints.brokers ?? '').split(','), stop, start };
}
