import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { allExpressions, readRuleGroups, root, selectors } from './expressions.mts';

/** Labels Prometheus or the agent put on every series. */
const everySeries = ['job', 'instance', 'service', 'environment', 'tier', 'traffic'];

/** Metric names and their own labels from the tables of docs/metrics.md. */
function documentedMetrics(): Map<string, { type: string; labels: string[] }> {
  const metrics = new Map<string, { type: string; labels: string[] }>();
  for (const line of readFileSync(join(root, 'docs/metrics.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]!.startsWith('`')) continue;
    const names = [...cells[1]!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!);
    const labels = [...cells[3]!.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]!);
    for (const name of names) metrics.set(name, { type: cells[2]!, labels });
  }
  return metrics;
}

/** prom-client's default metrics (the `process_*, …` row of the docs), with the labels they carry. */
async function defaultMetrics(): Promise<Map<string, { type: string; labels: string[] }>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const metrics = new Map<string, { type: string; labels: string[] }>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set(metric.values.flatMap((value) => Object.keys(value.labels)).filter((label) => label !== 'le'));
    metrics.set(metric.name, { type: String(metric.type), labels: [...labels] });
  }
  return metrics;
}

test('every selector in the dashboards, rules and alerts names a metric and labels that Vigil exports', async () => {
  const known = new Map([...(await defaultMetrics()), ...documentedMetrics()]);
  assert.ok(known.has('http_server_request_duration_seconds') && known.has('vigil_collector_consumer_lag'), 'docs/metrics.md was not read');
  for (const group of readRuleGroups('rules.yaml')) {
    for (const rule of group.rules) known.set(rule.record!, { type: 'recorded', labels: ['le', 'quantile'] });
  }
  known.set('up', { type: 'gauge', labels: [] });
  known.set('ALERTS', { type: 'gauge', labels: ['alertname', 'alertstate', 'severity'] });

  const problems: string[] = [];
  for (const expression of allExpressions()) {
    for (const selector of selectors(expression.promql)) {
      const names = selector.metric.split('|');
      for (const name of names) {
        const histogram = /^(.*)_(bucket|count|sum)$/.exec(name);
        const base = histogram && known.get(histogram[1]!)?.type === 'histogram' ? histogram[1]! : name;
        const metric = known.get(base);
        if (metric === undefined) {
          problems.push(`${expression.where}: ${name} is not a metric Vigil exports`);
          continue;
        }
        const allowed = new Set([...everySeries, ...metric.labels, ...(histogram?.[2] === 'bucket' ? ['le'] : []), '__name__']);
        for (const { label } of selector.matchers) {
          if (!allowed.has(label)) problems.push(`${expression.where}: ${name} has no label ${label}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('the selector extraction finds names, labels and histogram series', () => {
  const found = selectors('sum by (le) (rate(http_server_request_duration_seconds_bucket{service=~".*", le="0.25"}[5m])) / on () group_left () up or {__name__=~"a|b"}');
  assert.deepEqual(found.map((selector) => selector.metric), ['http_server_request_duration_seconds_bucket', 'up', 'a|b']);
  assert.deepEqual(found[0]!.matchers, [{ label: 'service', op: '=~', value: '.*' }, { label: 'le', op: '=', value: '0.25' }]);
  assert.throws(() => selectors('sum(rate(x[5m])'), /does not parse/);
});
