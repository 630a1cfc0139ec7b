import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { Diag } from '../../agent/diag';
import type { RetentionMode } from './config';

export const TEMPLATE_NAME = 'vigil-logs';
export const ILM_POLICY_NAME = 'vigil-logs';
export const DATA_STREAM_PATTERN = 'logs-*-*';
/** Above the stock `logs` template (priority 100) of a default Elasticsearch distribution. */
const TEMPLATE_PRIORITY = 200;

const keyword: estypes.MappingProperty = { type: 'keyword', ignore_above: 1024 };
const text: estypes.MappingProperty = { type: 'text' };

/** The ECS fields Vigil's agent writes, typed as ECS types them, so Kibana needs no mapping work. */
const ECS_MAPPINGS: Record<string, estypes.MappingProperty> = {
  '@timestamp': { type: 'date' },
  message: text,
  log: { properties: { level: keyword, logger: keyword } },
  service: { properties: { name: keyword, version: keyword, environment: keyword, tier: keyword } },
  deployment: { properties: { environment: keyword } },
  trace: { properties: { id: keyword } },
  span: { properties: { id: keyword } },
  transaction: { properties: { id: keyword } },
  event: { properties: { id: keyword, dataset: keyword } },
  labels: { properties: { traffic: keyword } },
  host: { properties: { name: keyword, hostname: keyword } },
  ecs: { properties: { version: keyword } },
  process: { properties: { pid: { type: 'long' } } },
  error: { properties: { type: keyword, code: keyword, message: text, stack_trace: { type: 'text', index: false } } },
};

export interface RetentionSettings {
  readonly mode: RetentionMode;
  readonly days: number;
}

/**
 * Installs (or updates to the same content, so running it again is harmless) the index template
 * for `logs-*-*` with ECS mappings and retention: the data stream lifecycle, which every current
 * Elasticsearch has, or an ILM policy when asked for and the cluster has ILM.
 */
export async function installTemplate(client: Client, retention: RetentionSettings, diag: Diag): Promise<RetentionMode> {
  const mode = retention.mode === 'ilm' && !(await hasIlm(client)) ? 'lifecycle' : retention.mode;
  if (mode !== retention.mode) diag.warn('collector: this Elasticsearch has no ILM; retention uses the data stream lifecycle instead');
  const dataRetention = `${retention.days}d`;
  if (mode === 'ilm') {
    await client.ilm.putLifecycle({
      name: ILM_POLICY_NAME,
      policy: {
        phases: {
          hot: { actions: { rollover: { max_primary_shard_size: '50gb', max_age: '1d' } } },
          delete: { min_age: dataRetention, actions: { delete: {} } },
        },
      },
    });
  }
  await client.indices.putIndexTemplate({
    name: TEMPLATE_NAME,
    index_patterns: [DATA_STREAM_PATTERN],
    data_stream: {},
    priority: TEMPLATE_PRIORITY,
    _meta: { managed_by: 'vigil-collector' },
    template: {
      settings: mode === 'ilm' ? { 'index.lifecycle.name': ILM_POLICY_NAME, 'index.lifecycle.prefer_ilm': true } : {},
      mappings: {
        dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
        properties: ECS_MAPPINGS,
      },
      ...(mode === 'lifecycle' ? { lifecycle: { data_retention: dataRetention } } : {}),
    },
  });
  if (mode === 'lifecycle') await applyToExistingStreams(client, dataRetention);
  return mode;
}

/** A template shapes new data streams only; streams that already exist get the retention here. */
async function applyToExistingStreams(client: Client, dataRetention: string): Promise<void> {
  let names: string[];
  try {
    const { data_streams: streams } = await client.indices.getDataStream({ name: DATA_STREAM_PATTERN, expand_wildcards: 'all' });
    names = streams.filter((stream) => stream.template === TEMPLATE_NAME).map((stream) => stream.name);
  } catch (error) {
    // No stream yet, or a distribution without the data stream API: the template covers what comes.
    if (isClientError(error)) return;
    throw error;
  }
  if (names.length > 0) await client.indices.putDataLifecycle({ name: names, data_retention: dataRetention });
}

async function hasIlm(client: Client): Promise<boolean> {
  try {
    await client.ilm.getStatus();
    return true;
  } catch (error) {
    // A cluster without ILM answers the request as an unknown endpoint; anything else is trouble to retry.
    if (isClientError(error)) return false;
    throw error;
  }
}

function isClientError(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
}
