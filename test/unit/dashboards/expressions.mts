// Every PromQL expression the generated dashboards, recording rules and alerts evaluate, in the
// form Prometheus runs them, and the metric selectors inside each.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

export const root = new URL('../../../', import.meta.url).pathname;
export const buildDir = join(root, 'dashboards/build');

export interface Expression {
  /** Where the expression lives, for messages: file and panel, rule or variable. */
  readonly where: string;
  readonly kind: 'panel' | 'variable' | 'record' | 'alert';
  /** The expression as Prometheus evaluates it, Grafana's variables filled in. */
  readonly promql: string;
}

export interface RuleGroup {
  name: string;
  rules: { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
}

export function readRuleGroups(file: 'rules.yaml' | 'alerts.yaml'): RuleGroup[] {
  return (parseYaml(readFileSync(join(buildDir, 'prometheus', file), 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function readDashboards(): Record<string, DashboardModel> {
  const dir = join(buildDir, 'grafana/dashboards');
  return Object.fromEntries(readdirSync(dir).map((file) => [file, JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardModel]));
}

export interface DashboardModel {
  uid: string;
  title: string;
  panels: { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: { expr: string }[] }[];
  templating: { list: { name: string; type: string; query: string | { query: string } }[] };
}

/** Grafana's built-in and template variables, replaced by what they would be on a dashboard showing everything. */
export function fillVariables(expr: string): string {
  const builtIn: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_match, braced?: string, plain?: string) => builtIn[(braced ?? plain)!] ?? '.*');
}

/** A variable's `label_values(selector, label)` query as the PromQL Grafana sends for it. */
function variableQuery(query: string): string {
  const match = /^label_values\((.*),\s*(\w+)\)$/.exec(query);
  if (match === null) throw new Error(`unexpected variable query ${query}`);
  return `group by (${match[2]}) (${fillVariables(match[1]!)})`;
}

export function allExpressions(): Expression[] {
  const expressions: Expression[] = [];
  for (const [file, dashboard] of Object.entries(readDashboards())) {
    for (const variable of dashboard.templating.list) {
      if (variable.type !== 'query') continue;
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      expressions.push({ where: `${file} variable $${variable.name}`, kind: 'variable', promql: variableQuery(query) });
    }
    for (const panel of dashboard.panels) {
      for (const [index, target] of (panel.targets ?? []).entries()) {
        expressions.push({ where: `${file} panel "${panel.title}" query ${index}`, kind: 'panel', promql: fillVariables(target.expr) });
      }
    }
  }
  for (const group of readRuleGroups('rules.yaml')) {
    for (const rule of group.rules) expressions.push({ where: `rule ${rule.record}`, kind: 'record', promql: rule.expr });
  }
  for (const group of readRuleGroups('alerts.yaml')) {
    for (const [index, rule] of group.rules.entries()) expressions.push({ where: `alert ${rule.alert} (${group.name} #${index})`, kind: 'alert', promql: rule.expr });
  }
  return expressions;
}

export interface Selector {
  /** The metric name, or the `__name__` matcher's value when the selector has no name. */
  readonly metric: string;
  readonly matchers: readonly { label: string; op: string; value: string }[];
  /** The selector's text, to query on its own. */
  readonly text: string;
}

/** The instant-vector selectors of an expression (those inside range selectors included). */
export function selectors(promql: string): Selector[] {
  const found: Selector[] = [];
  const tree = parser.parse(promql);
  const text = (from: number, to: number) => promql.slice(from, to);
  tree.iterate({
    enter(node) {
      if (node.name === '⚠') throw new Error(`PromQL does not parse at ${node.from}: ${promql}`);
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      const matchers: { label: string; op: string; value: string }[] = [];
      for (const matcher of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName')!;
        const op = matcher.getChild('MatchOp')!;
        const value = matcher.getChild('StringLiteral')!;
        matchers.push({ label: text(label.from, label.to), op: text(op.from, op.to), value: JSON.parse(text(value.from, value.to)) as string });
      }
      const metric = identifier !== null ? text(identifier.from, identifier.to) : (matchers.find((m) => m.label === '__name__')?.value ?? '');
      found.push({ metric, matchers, text: text(node.from, node.to) });
      return false;
    },
  });
  return found;
}
