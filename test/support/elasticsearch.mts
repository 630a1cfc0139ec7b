import type { ClientOptions } from '@elastic/elasticsearch';
import { useService } from './stack-state.mts';

export interface ElasticsearchService {
  /** Without credentials; clientOptions() carries them. */
  readonly url: string;
  clientOptions(): ClientOptions;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The run's Elasticsearch node (security on, generated password), started on first use. */
export async function useElasticsearch(): Promise<ElasticsearchService> {
  const { endpoints, stop, start } = await useService('elasticsearch');
  const url = endpoints.url ?? '';
  return {
    url,
    clientOptions: () => ({ node: url, auth: { username: endpoints.username ?? '', password: endpoints.password ?? '' } }),
    stop,
    start,
  };
}
