import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildDir, readRuleGroups, root } from './expressions.mts';

const testsDir = join(root, 'dashboards/tests');

function run(command: string, args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(command, args, { cwd: options.cwd ?? root, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

const alerts = readRuleGroups('alerts.yaml').flatMap((group) => group.rules);
const alertNames = [...new Set(alerts.map((rule) => rule.alert!))];

test('the checked-in build/ is what the mixin renders now', () => {
  const fresh = mkdtempSync(join(tmpdir(), 'vigil-dashboards-'));
  try {
    const built = run('sh', [join(root, 'dashboards/build.sh'), fresh]);
    assert.equal(built.status, 0, built.output);
    assert.deepEqual(filesUnder(fresh), filesUnder(buildDir));
    for (const file of filesUnder(fresh)) {
      assert.equal(readFileSync(join(buildDir, file), 'utf8'), readFileSync(join(fresh, file), 'utf8'), `${file} is stale: run npm run dashboards`);
    }
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

test('promtool check rules accepts the recording rules and the alerts', () => {
  const checked = run('promtool', ['check', 'rules', join(buildDir, 'prometheus/rules.yaml'), join(buildDir, 'prometheus/alerts.yaml')]);
  assert.equal(checked.status, 0, checked.output);
  assert.match(checked.output, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: every alert fires and stays silent where its unit tests say', () => {
  const files = readdirSync(testsDir).filter((file) => file.endsWith('.test.yaml'));
  assert.ok(files.length > 0);
  const tested = run('promtool', ['test', 'rules', ...files], { cwd: testsDir });
  assert.equal(tested.status, 0, tested.output);
  assert.doesNotMatch(tested.output, /FAILED/);
});

test('every alert has unit tests in which it fires and in which it stays silent', () => {
  const firing = new Set<string>();
  const silent = new Set<string>();
  for (const file of readdirSync(testsDir).filter((name) => name.endsWith('.test.yaml'))) {
    const suite = parseYaml(readFileSync(join(testsDir, file), 'utf8')) as { tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[] };
    for (const check of suite.tests.flatMap((t) => t.alert_rule_test ?? [])) {
      ((check.exp_alerts ?? []).length > 0 ? firing : silent).add(check.alertname);
    }
  }
  assert.deepEqual(alertNames.filter((name) => !firing.has(name)), [], 'alerts never tested firing');
  assert.deepEqual(alertNames.filter((name) => !silent.has(name)), [], 'alerts never tested silent');
});

test('every alert has a summary, a description and a runbook that exists and says what to check first', () => {
  for (const rule of alerts) {
    const { summary, description, runbook_url: runbook } = rule.annotations ?? {};
    assert.ok(summary && description, `${rule.alert} lacks a summary or a description`);
    assert.match(runbook ?? '', /^docs\/runbooks\/[a-z-]+\.md$/, `${rule.alert} runbook_url`);
    const file = join(root, runbook!);
    assert.ok(existsSync(file), `${rule.alert}: ${runbook} does not exist`);
    const text = readFileSync(file, 'utf8');
    assert.match(text, new RegExp(`^# ${rule.alert}$`, 'm'), `${runbook} is not about ${rule.alert}`);
    assert.match(text, /^## Check first$/m, `${runbook} has no "Check first" section`);
  }
});

test('SLO alerts take their severity from the tier: fast burns page for tiers 1-2, everything else is a ticket', () => {
  const slo = alerts.filter((rule) => rule.labels?.slo !== undefined);
  assert.equal(slo.length, 2 * 4 * 4, 'two SLIs, four tiers, four window pairs');
  for (const rule of slo) {
    const fast = rule.labels!.long_window === '1h' || rule.labels!.long_window === '6h';
    const paging = rule.labels!.tier === '1' || rule.labels!.tier === '2';
    assert.equal(rule.labels!.severity, fast && paging ? 'page' : 'ticket', `${rule.alert} tier ${rule.labels!.tier} ${rule.labels!.long_window}`);
  }
});

test('a deployment overrides selectors and SLO targets from its own jsonnet', () => {
  const override = `(import "mixin.libsonnet") + { _config+:: { agentSelector: 'job="payments"', tiers+: { '1'+: { availability: 0.9999 } } } }`;
  const rendered = run('jsonnet', ['-J', join(root, 'dashboards'), '-e', `local m = ${override}; { rules: m.prometheusRules, alerts: m.prometheusAlerts }`]);
  assert.equal(rendered.status, 0, rendered.output);
  const { rules, alerts: overridden } = JSON.parse(rendered.output) as { rules: { groups: { rules: { expr: string }[] }[] }; alerts: { groups: { rules: { alert: string; expr: string; labels: Record<string, string> }[] }[] } };
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    for (const selector of rule.expr.match(/http_server_request_duration_seconds_(count|bucket)\{[^}]*\}/g) ?? []) assert.match(selector, /job="payments"/);
  }
  const tier1Fast = overridden.groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'VigilAvailabilityBudgetBurn' && rule.labels.tier === '1' && rule.labels.long_window === '1h');
  assert.match(tier1Fast!.expr, /> 0\.00144\b/, '14.4 times a 0.01% budget');
});

test('a latency threshold that is not a histogram bucket fails the build with a message naming it', () => {
  const override = `(import "mixin.libsonnet") + { _config+:: { tiers+: { '3'+: { latencyThresholdSeconds: 0.3 } } } }`;
  const rendered = run('jsonnet', ['-J', join(root, 'dashboards'), '-e', `(${override}).prometheusRules`]);
  assert.notEqual(rendered.status, 0);
  assert.match(rendered.output, /tier 3.*0\.3.*bucket/);
});
