import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildDir, readDashboards } from './expressions.mts';
import { dashboardSchemaErrors } from './grafana-schema.mts';

const dashboards = readDashboards();

test('the four dashboards validate against Grafana\'s dashboard and panel schemas', () => {
  assert.deepEqual(Object.keys(dashboards).sort(), ['vigil-fleet.json', 'vigil-golden-signals.json', 'vigil-log-pipeline.json', 'vigil-nodejs-runtime.json']);
  assert.deepEqual(dashboardSchemaErrors(dashboards), []);
});

test('the schema check rejects an unknown option, a wrong type and a missing required field', () => {
  const golden = structuredClone(dashboards['vigil-golden-signals.json']) as unknown as {
    schemaVersion?: number;
    panels: { type: string; options: { legend: Record<string, unknown> }; gridPos: Record<string, unknown> }[];
  };
  const timeseries = golden.panels.find((panel) => panel.type === 'timeseries')!;
  timeseries.options.legend.colour = 'red';
  timeseries.gridPos.w = 'wide';
  const withoutVersion = structuredClone(dashboards['vigil-golden-signals.json']) as unknown as { schemaVersion?: number };
  delete withoutVersion.schemaVersion;
  const errors = dashboardSchemaErrors({ 'broken.json': golden, 'unversioned.json': withoutVersion }).join('\n');
  assert.match(errors, /broken\.json panel \d+ "[^"]+" options: .*'"colour"' does not exist/);
  assert.match(errors, /broken\.json: Type 'string' is not assignable to type 'number'/);
  assert.match(errors, /unversioned\.json: [^\n]*\n {2}Property 'schemaVersion' is missing/);
});

test('dashboards have stable unique uids, and panels unique ids on the 24-column grid', () => {
  const uids = Object.values(dashboards).map((dashboard) => dashboard.uid);
  assert.deepEqual(uids.sort(), ['vigil-fleet', 'vigil-golden-signals', 'vigil-log-pipeline', 'vigil-nodejs-runtime']);
  for (const [file, dashboard] of Object.entries(dashboards)) {
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, `${file} repeats a panel id`);
    for (const panel of dashboard.panels) assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${file} panel ${panel.title} overflows the grid`);
  }
});

test('the golden-signals dashboard has the service, environment, tier and traffic variables, exemplars and links to logs, traces and profiles', () => {
  const golden = dashboards['vigil-golden-signals.json']!;
  const text = JSON.stringify(golden);
  assert.deepEqual(golden.templating.list.map((variable) => variable.name), ['datasource', 'environment', 'tier', 'service', 'traffic']);
  assert.ok(golden.panels.some((panel) => (panel.targets as { exemplar?: boolean }[] | undefined)?.some((target) => target.exemplar)), 'no panel asks for exemplars');
  assert.match(text, /app\/discover#.*service\.name:\\"\$\{__field\.labels\.service\}\\"/, 'no link to the service\'s logs in Kibana');
  assert.match(text, /\/search\?service=\$\{__field\.labels\.service\}/, 'no link to the service\'s traces in Jaeger');
  assert.match(text, /\/debug\/pprof\/profile/, 'no link to a CPU profile');
  for (const quantile of ['0.5', '0.95', '0.99']) assert.match(text, new RegExp(`histogram_quantile\\(${quantile.replace('.', '\\.')},`));
});

test('Grafana provisioning: the datasources the dashboards use, linked exemplars to traces and traces to logs', () => {
  const raw = readFileSync(join(buildDir, 'grafana/provisioning/datasources/vigil.yaml'), 'utf8');
  // Grafana expands $VAR in provisioning files: its own macros must be escaped as $${...}.
  assert.doesNotMatch(raw, /(?<!\$)\$\{/);
  const { datasources } = parseYaml(raw) as { datasources: { uid: string; type: string; jsonData: Record<string, unknown> }[] };
  const byType = Object.fromEntries(datasources.map((source) => [source.type, source]));
  assert.deepEqual(Object.keys(byType).sort(), ['elasticsearch', 'jaeger', 'prometheus']);
  const destinations = byType.prometheus!.jsonData.exemplarTraceIdDestinations as { name: string; datasourceUid?: string; url?: string }[];
  assert.ok(destinations.some((d) => d.name === 'trace_id' && d.datasourceUid === byType.jaeger!.uid), 'exemplars do not lead to Jaeger');
  assert.ok(destinations.some((d) => d.name === 'trace_id' && d.url?.includes('trace.id')), 'exemplars do not lead to the trace\'s logs');
  assert.equal((byType.jaeger!.jsonData.tracesToLogsV2 as { datasourceUid: string }).datasourceUid, byType.elasticsearch!.uid);
  assert.equal(byType.elasticsearch!.jsonData.index, 'logs-*');

  const { providers } = parseYaml(readFileSync(join(buildDir, 'grafana/provisioning/dashboards/vigil.yaml'), 'utf8')) as { providers: { type: string; options: { path: string } }[] };
  assert.equal(providers[0]!.type, 'file');
  assert.ok(providers[0]!.options.path);
});

test('Kibana saved objects: one NDJSON object per line, a logs-* data view and a saved search per service referring to it', () => {
  const lines = readFileSync(join(buildDir, 'kibana/saved-objects.ndjson'), 'utf8').trimEnd().split('\n');
  const objects = lines.map((line) => JSON.parse(line) as { type: string; id: string; attributes: Record<string, unknown>; references: { name: string; type: string; id: string }[] });
  const dataView = objects.find((object) => object.type === 'index-pattern')!;
  assert.equal(dataView.attributes.title, 'logs-*');
  assert.equal(dataView.attributes.timeFieldName, '@timestamp');
  const searches = objects.filter((object) => object.type === 'search');
  assert.deepEqual(searches.map((search) => search.attributes.title), ['Logs of demo']);
  for (const search of searches) {
    const source = JSON.parse((search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as { indexRefName: string; query: { query: string; language: string } };
    assert.deepEqual(search.references, [{ name: source.indexRefName, type: 'index-pattern', id: dataView.id }]);
    assert.equal(source.query.language, 'kuery');
    assert.match(source.query.query, /^service\.name:"demo"$/);
  }
});

test('Alertmanager: routes pages of tier 1, other pages and tickets to their receivers, grouped by service', () => {
  const config = join(buildDir, 'alertmanager/alertmanager.yml');
  const check = spawnSync('amtool', ['check-config', config], { encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  const receiver = (...labels: string[]) =>
    spawnSync('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels], { encoding: 'utf8' }).stdout.trim();
  assert.equal(receiver('severity=page', 'tier=1', 'service=checkout'), 'page-critical');
  assert.equal(receiver('severity=page', 'tier=2', 'service=search'), 'page');
  assert.equal(receiver('severity=ticket', 'tier=1', 'service=checkout'), 'ticket');
  assert.equal(receiver('severity=ticket', 'tier=4', 'service=batch'), 'ticket');
  const parsed = parseYaml(readFileSync(config, 'utf8')) as { route: { group_by: string[] }; inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] };
  assert.deepEqual(parsed.route.group_by, ['service', 'environment']);
  const underTargetDown = parsed.inhibit_rules.find((rule) => rule.source_matchers.includes('alertname="VigilTargetDown"'))!;
  assert.deepEqual(underTargetDown.equal, ['service', 'environment']);
  assert.match(underTargetDown.target_matchers[0]!, /VigilAvailabilityBudgetBurn/);
  assert.doesNotMatch(underTargetDown.target_matchers[0]!, /VigilTargetDown/);
});
