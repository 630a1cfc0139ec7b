/**
 * Preloaded into the demo by the local topology (after vigil/register): one ECS line per finished
 * request through the agent's logger, so each request's trace id reaches Kafka, Elasticsearch and
 * Kibana beside its trace and metrics. A service of your own logs from its handlers instead.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { init } from '../../agent';

const { logger } = init();

subscribe('http.server.response.finish', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const status = response.statusCode;
  const fields = { 'http.request.method': request.method, 'url.path': request.url?.split('?')[0], 'http.response.status_code': status };
  if (status >= 500) logger.error(fields, 'request failed');
  else logger.info(fields, 'request served');
});
