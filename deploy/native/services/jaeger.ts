import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { httpOk } from '../health';
import { findOnPath } from '../install/commands';
import { goBuild, goModVersion } from '../install/go';
import { cacheDir } from '../paths';
import type { ServiceDefinition } from '../service';

const MODULE = 'jaeger';
const version = goModVersion(MODULE, 'github.com/jaegertracing/jaeger');
const entry = `jaeger-${version}`;

/**
 * Jaeger v2 (cmd/jaeger, an OpenTelemetry Collector distribution) built from the Go module proxy.
 * It receives OTLP/HTTP and Jaeger Thrift/HTTP, keeps spans in Badger under its own directory and
 * answers the query API. Every listener is bound to loopback on a configured port.
 */
export const jaeger: ServiceDefinition = {
  name: 'jaeger',
  version,
  ports: [
    { role: 'otlpHttp', defaultPort: 4318, env: 'VIGIL_JAEGER_OTLP_HTTP_PORT' },
    { role: 'thriftHttp', defaultPort: 14268, env: 'VIGIL_JAEGER_THRIFT_HTTP_PORT' },
    { role: 'query', defaultPort: 16686, env: 'VIGIL_JAEGER_QUERY_PORT' },
    { role: 'queryGrpc', defaultPort: 16685, env: 'VIGIL_JAEGER_QUERY_GRPC_PORT' },
    { role: 'health', defaultPort: 13133, env: 'VIGIL_JAEGER_HEALTH_PORT' },
  ],
  // Without a Go of its own the build fetches a toolchain zip from the module proxy.
  requires: findOnPath('go') ? [] : [{ command: 'unzip', debianPackage: 'unzip' }],

  async install(log) {
    await goBuild(MODULE, 'github.com/jaegertracing/jaeger/cmd/jaeger', entry, 'jaeger', log);
  },

  async prepare(context) {
    const { otlpHttp, thriftHttp, query, queryGrpc, health } = context.ports;
    const data = join(context.dir, 'data');
    await mkdir(data, { recursive: true });
    // JSON is YAML, and needs no YAML writer.
    const config = {
      service: {
        extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
        pipelines: {
          traces: { receivers: ['otlp', 'jaeger'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] },
        },
        // Jaeger's own metrics would need one more port; the stack does not scrape them.
        telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
      },
      extensions: {
        healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${health}` } },
        jaeger_query: {
          storage: { traces: 'local' },
          http: { endpoint: `127.0.0.1:${query}` },
          grpc: { endpoint: `127.0.0.1:${queryGrpc}` },
        },
        jaeger_storage: {
          backends: {
            local: { badger: { directories: { keys: join(data, 'keys'), values: join(data, 'values') }, ephemeral: false, ttl: { spans: '48h' } } },
          },
        },
      },
      receivers: {
        otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlpHttp}` } } },
        jaeger: { protocols: { thrift_http: { endpoint: `127.0.0.1:${thriftHttp}` } } },
      },
      processors: { batch: {} },
      exporters: { jaeger_storage_exporter: { trace_storage: 'local' } },
    };
    await writeFile(join(context.dir, 'config.yaml'), `${JSON.stringify(config, null, 2)}\n`);
    return {};
  },

  launch: (context) => ({
    command: join(cacheDir(), entry, 'jaeger'),
    args: ['--config', join(context.dir, 'config.yaml')],
  }),

  healthy: (context) => httpOk(`http://127.0.0.1:${context.ports.health}/status`),

  endpoints: (context) => ({
    otlpHttpUrl: `http://127.0.0.1:${context.ports.otlpHttp}`,
    thriftHttpUrl: `http://127.0.0.1:${context.ports.thriftHttp}/api/traces`,
    queryUrl: `http://127.0.0.1:${context.ports.query}`,
  }),
};
