/** The instrumentations tracing can apply, by the name users pass to turn one off. */
export const INSTRUMENTATION_NAMES = ['http', 'undici', 'express', 'fastify', 'pg', 'mysql2', 'ioredis', 'redis', 'mongodb', 'kafkajs', 'grpc'] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

export const SpanMetricNames = {
  spansExported: 'vigil_spans_exported_total',
  spansDropped: 'vigil_spans_dropped_total',
} as const;
