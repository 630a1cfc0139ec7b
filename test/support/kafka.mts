import { useService } from './stack-state.mts';

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
