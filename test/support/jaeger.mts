import { useService } from './stack-state.mts';

export interface JaegerService {
  /** OTLP/HTTP base URL; traces go to `${otlpHttpUrl}/v1/traces`. */
  readonly otlpHttpUrl: string;
  /** Jaeger Thrift/HTTP collector endpoint (…/api/traces). */
  readonly thriftHttpUrl: string;
  /** Base URL of the query API and UI. */
  readonly queryUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The run's Jaeger, started on first use. */
export async function useJaeger(): Promise<JaegerService> {
  const { endpoints, stop, start } = await useService('jaeger');
  return {
    otlpHttpUrl: endpoints.otlpHttpUrl ?? '',
    thriftHttpUrl: endpoints.thriftHttpUrl ?? '',
    queryUrl: endpoints.queryUrl ?? '',
    stop,
    start,
  };
}
