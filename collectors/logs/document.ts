/** One Kafka record as the collector sees it: where it came from and its bytes. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** A record ready for a bulk `create`: its data stream, its stable id and its JSON source line. */
export interface LogDocument {
  readonly source: SourceRecord;
  readonly dataStream: string;
  readonly id: string;
  /** The record as one line of JSON, without a line break inside. */
  readonly json: string;
}

/** A record that can never be indexed, with the reason it goes to the dead-letter topic. */
export interface Rejected {
  readonly source: SourceRecord;
  /** A short, bounded word for the metric label. */
  readonly reason: string;
  /** What a person reads in the dead-letter header. */
  readonly detail: string;
}

const SHADOW_NAMESPACE = 'shadow';

/**
 * Turns a record into a document, or says why it cannot be one. The id is the agent's `event.id`
 * when it set one (so a line the agent sent twice is one document), else topic, partition and
 * offset (so a batch Kafka delivers twice is one document).
 */
export function toDocument(source: SourceRecord): LogDocument | Rejected {
  const text = source.value?.toString('utf8') ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { source, reason: 'invalid_json', detail: `not JSON: ${(error as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { source, reason: 'not_an_object', detail: 'the record is JSON but not an object' };
  }
  const record = parsed as Record<string, unknown>;
  const service = field(record, 'service.name') ?? source.key?.toString('utf8') ?? 'unknown';
  const shadow = field(record, 'labels.traffic') === SHADOW_NAMESPACE || source.topic.endsWith(`-${SHADOW_NAMESPACE}`);
  const environment = field(record, 'deployment.environment') ?? field(record, 'service.environment');
  const namespace = shadow ? SHADOW_NAMESPACE : (environment ?? 'default');
  const eventId = field(record, 'event.id');
  return {
    source,
    dataStream: `logs-${namePart(service)}-${namePart(namespace)}`,
    id: eventId !== undefined && eventId.length <= 256 ? eventId : `${source.topic}:${source.partition}:${source.offset}`,
    // Pretty-printed JSON would break the bulk body's one-line-per-document framing.
    json: text.includes('\n') ? JSON.stringify(record) : text,
  };
}

export function isRejected(value: LogDocument | Rejected): value is Rejected {
  return 'reason' in value;
}

/** Reads an ECS field written flat (`"service.name"`) or nested (`{"service": {"name"}}`). */
function field(record: Record<string, unknown>, path: string): string | undefined {
  const flat = record[path];
  if (typeof flat === 'string' || typeof flat === 'number') return String(flat);
  let node: unknown = record;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
}

/** Index names are lower case, without `\ / * ? " < > | , # :` or spaces, and not led by `-_+`. */
function namePart(value: string): string {
  const cleaned = value.toLowerCase().replace(/[^a-z0-9._-]/g, '_').replace(/^[-_+.]+/, '').slice(0, 80);
  return cleaned === '' ? 'unknown' : cleaned;
}
