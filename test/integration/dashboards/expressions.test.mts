// Every PromQL expression of the dashboards, variables, recording rules and alerts, run against a
// real Prometheus that loads the rules and scrapes the demo under load (logging through Kafka and
// the collector into Elasticsearch, tracing to Jaeger) and the collector.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTopics, startCollector, withServices } from '../collector/harness.mts';
import { useJaeger } from '../../support/jaeger.mts';
import { freePort, waitForHttp } from '../../support/ports.mts';
import { startNode, type StartedProcess } from '../../support/process.mts';
import { startPrometheus, type Prometheus } from '../../support/prometheus.mts';
import { allExpressions, buildDir, root, selectors } from '../../unit/dashboards/expressions.mts';

/**
 * Counters with a label that only gets values when the event happens (a drop, a retry, a crash):
 * a healthy run has no series for them. For these the target must still export the metric (its
 * HELP and TYPE, which Prometheus keeps as metadata), so the name and type are checked, not the data.
 */
const EVENT_COUNTERS = new Set([
  'vigil_log_records_dropped_total',
  'vigil_spans_dropped_total',
  'vigil_metric_series_dropped_total',
  'vigil_profiles_total',
  'vigil_crash_events_total',
  'vigil_collector_records_retried_total',
  'vigil_collector_records_dead_lettered_total',
  'vigil_collector_es_rejections_total',
]);
/** Prometheus's own series of pending and firing alerts. */
const PROMETHEUS_OWN = new Set(['ALERTS']);

const demoServer = join(root, 'dist/examples/demo/server.js');
const demoLoad = join(root, 'dist/examples/demo/load.js');
const requestLog = join(root, 'dist/deploy/local/request-log.js');

describe('dashboards and rules against a real Prometheus scraping the demo under load', () => {
  const services = withServices({ tracing: true });
  const started: StartedProcess[] = [];
  let prometheus: Prometheus;
  let queryUrl: string;

  before(async () => {
    const { brokers, es, otlpEndpoint } = services;
    queryUrl = (await useJaeger()).queryUrl;
    const topics = await createTopics(brokers, 2);
    const collector = await startCollector({ brokers, es, topics });
    const metricsTargets: string[] = [];
    // One demo per tier, so every tier's SLO rules and alerts see traffic; the tier 2 one carries
    // the whole pipeline (logs through Kafka, spans to Jaeger), the others only metrics.
    for (const tier of ['1', '3', '4']) {
      const [port, metricsPort] = [await freePort(), await freePort()];
      started.push(startNode(demoServer, {
        nodeArgs: ['--import', 'vigil/register'],
        cwd: root,
        env: {
          PORT: String(port),
          OTEL_SERVICE_NAME: `demo-tier${tier}`,
          VIGIL_TIER: tier,
          VIGIL_METRICS_HOST: '127.0.0.1',
          VIGIL_METRICS_PORT: String(metricsPort),
          OTEL_TRACES_EXPORTER: 'none',
          VIGIL_PROFILER: 'off',
        },
      }));
      await waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, 30_000);
      metricsTargets.push(`127.0.0.1:${metricsPort}`);
      started.push(startNode(demoLoad, { env: { TARGET: `http://127.0.0.1:${port}`, DURATION_S: '900', SHADOW_SHARE: '0.2', CONCURRENCY: '1', RATE: '10' } }));
    }
    const [port, metricsPort] = [await freePort(), await freePort()];
    const demo = startNode(demoServer, {
      nodeArgs: ['--import', 'vigil/register', '--import', requestLog],
      cwd: root,
      env: {
        PORT: String(port),
        OTEL_SERVICE_NAME: 'demo',
        VIGIL_TIER: '2',
        VIGIL_METRICS_HOST: '127.0.0.1',
        VIGIL_METRICS_PORT: String(metricsPort),
        VIGIL_KAFKA_BROKERS: brokers.join(','),
        VIGIL_LOG_TOPIC: topics.live,
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      },
    });
    started.push(demo);
    await waitForHttp(`http://127.0.0.1:${metricsPort}/metrics`, 30_000);
    started.push(startNode(demoLoad, { env: { TARGET: `http://127.0.0.1:${port}`, DURATION_S: '900', SHADOW_SHARE: '0.2' } }));
    prometheus = await startPrometheus({
      targets: [...metricsTargets, `127.0.0.1:${metricsPort}`, new URL(collector.metricsUrl).host],
      scrapeInterval: '2s',
      evaluationInterval: '2s',
      ruleFiles: [join(buildDir, 'prometheus/rules.yaml'), join(buildDir, 'prometheus/alerts.yaml')],
      exemplars: true,
    });
    const flowing = (samples: { value: [number, string] }[]) => samples.length > 0 && Number(samples[0]!.value[1]) > 0;
    // Requests recorded by the rules, log lines through Kafka into Elasticsearch, spans into Jaeger.
    await prometheus.waitFor('sum(service:http_server_requests:rate5m{service="demo", traffic="live"})', flowing, 120_000);
    await prometheus.waitFor('sum(service:http_server_requests:rate5m{service="demo", traffic="shadow"})', flowing, 60_000);
    await prometheus.waitFor('sum(rate(vigil_collector_records_indexed_total[1m]))', flowing, 180_000);
    await prometheus.waitFor('sum(vigil_spans_exported_total{service="demo"})', flowing, 120_000);
    for (const tier of ['1', '2', '3', '4']) {
      await prometheus.waitFor(`count(service:http_server_request_slow:ratio_rate5m{tier="${tier}"})`, flowing, 60_000);
    }
    await prometheus.waitFor('sum(service:http_server_request_errors:ratio_rate1h{service="demo"})', flowing, 60_000);
  });

  after(async () => {
    await prometheus?.stop();
    await Promise.all(started.map((process) => process.stop()));
  });

  it('every expression parses, and every metric selector in it returns data', async (t) => {
    const metadata = await (await fetch(`${prometheus.url}/api/v1/metadata`)).json() as { data: Record<string, unknown> };
    const problems: string[] = [];
    const counted = { expressions: 0, selectors: 0 };
    const exportedWithoutEvents = new Set<string>();
    for (const expression of allExpressions()) {
      counted.expressions++;
      const result = await prometheus.query(expression.promql).catch((error: Error) => error);
      if (result instanceof Error) {
        problems.push(`${expression.where}: ${result.message}`);
        continue;
      }
      let expectsData = true;
      for (const selector of selectors(expression.promql)) {
        counted.selectors++;
        if (PROMETHEUS_OWN.has(selector.metric)) {
          expectsData = false;
          continue;
        }
        const samples = await prometheus.query(`count(${selector.text})`);
        if (samples.length > 0) continue;
        const base = selector.metric.replace(/_(bucket|count|sum)$/, '');
        // Scraped as OpenMetrics (for exemplars), a counter's metadata is named without `_total`.
        const exported = (name: string) => name in metadata.data || name.replace(/_total$/, '') in metadata.data;
        if (EVENT_COUNTERS.has(selector.metric) && exported(selector.metric)) {
          exportedWithoutEvents.add(selector.metric);
          expectsData = false;
          continue;
        }
        problems.push(`${expression.where}: ${selector.text} returns nothing${exported(base) || exported(selector.metric) ? '' : ' and no target exports the metric'}`);
        expectsData = false;
      }
      // Alerts are silent while all is well; what the others compute must have data.
      if (expression.kind !== 'alert' && expectsData && result.length === 0) problems.push(`${expression.where}: the expression returns nothing: ${expression.promql}`);
    }
    t.diagnostic(`${counted.expressions} expressions, ${counted.selectors} selectors; exported, no event yet: ${[...exportedWithoutEvents].sort().join(', ')}`);
    assert.deepEqual(problems, []);
    assert.ok(counted.expressions > 100 && counted.selectors > 200, JSON.stringify(counted));
  });

  it('latency exemplars carry trace ids of traces that Jaeger holds', async () => {
    const now = Date.now() / 1000;
    const exemplars = (await prometheus.queryExemplars('http_server_request_duration_seconds_bucket{service="demo"}', now - 300, now)) as {
      exemplars: { labels: Record<string, string> }[];
    }[];
    const traceIds = [...new Set(exemplars.flatMap((series) => series.exemplars.map((exemplar) => exemplar.labels.trace_id)).filter(Boolean))];
    assert.ok(traceIds.length > 0, 'no exemplar with a trace_id');
    const deadline = Date.now() + 60_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      for (const traceId of traceIds.slice(0, 5)) {
        const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
        if (response.ok && ((await response.json()) as { data?: unknown[] }).data?.length) found = true;
      }
      if (!found) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.ok(found, `Jaeger has none of the traces ${traceIds.slice(0, 5).join(', ')}`);
  });

  it('the demo\'s 5% failing requests burn the tier 2 budget more than 6 times too fast: the six-hour page goes pending', async () => {
    const pending = await prometheus.waitFor(
      'ALERTS{alertname="VigilAvailabilityBudgetBurn", service="demo", long_window="6h"}',
      (samples) => samples.length > 0,
      60_000,
    );
    assert.equal(pending[0]!.metric.severity, 'page');
    assert.equal(pending[0]!.metric.tier, '2');
    const liveRatio = Number((await prometheus.query('service:http_server_request_errors:ratio_rate1h{service="demo"}'))[0]!.value[1]);
    assert.ok(liveRatio > 0.02 && liveRatio < 0.15, `live error ratio ${liveRatio}`);
  });
});
