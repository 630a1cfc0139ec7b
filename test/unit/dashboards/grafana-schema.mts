// Checks dashboard JSON against Grafana's dashboard schema as @grafana/grafana-foundation-sdk
// publishes it (TypeScript types generated from Grafana's CUE kinds): each dashboard, and each
// panel's options, field config and queries against its plugin's types, as object literals, so
// unknown keys, missing required keys and wrong types are all reported.
import { join } from 'node:path';
import ts from 'typescript';

const root = new URL('../../../', import.meta.url).pathname;
const checkFile = join(root, 'test/unit/dashboards/dashboard-schema-check.ts');

/** The panel plugins Vigil's dashboards use, by panel type, with the SDK module holding their types. */
const panelPlugins: Record<string, string> = { timeseries: 'timeseries', stat: 'stat', table: 'table' };

const header = `
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
${Object.values(panelPlugins).map((module) => `import type * as ${module} from '@grafana/grafana-foundation-sdk/${module}';`).join('\n')}
// JSON as the SDK types describe it: string enums as their values, methods gone.
type Json<T> = T extends string ? \`\${T}\` : T extends readonly (infer U)[] ? Json<U>[] : T extends (...args: never[]) => unknown ? never : T extends object ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Json<T[K]> } : T;
`;

interface Panel {
  id?: number;
  type: string;
  title?: string;
  options?: unknown;
  fieldConfig?: { defaults?: { custom?: unknown } };
  targets?: unknown[];
}

/** Schema errors of the given dashboards, each naming the dashboard and the part that is wrong; empty when all are valid. */
export function dashboardSchemaErrors(dashboards: Readonly<Record<string, unknown>>): string[] {
  const checks: { label: string; code: string }[] = [];
  const errors: string[] = [];
  for (const [name, model] of Object.entries(dashboards)) {
    checks.push({ label: name, code: `const check = ${JSON.stringify(model)} satisfies Json<dashboard.Dashboard>;` });
    const panels = ((model as { panels?: Panel[] }).panels ?? []).filter((panel) => panel.type !== 'row');
    for (const panel of panels) {
      const label = `${name} panel ${panel.id} "${panel.title}"`;
      const plugin = panelPlugins[panel.type];
      if (plugin === undefined) {
        errors.push(`${label}: panel type ${panel.type} is not one the check knows`);
        continue;
      }
      checks.push({ label: `${label} options`, code: `const check = ${JSON.stringify(panel.options ?? {})} satisfies Json<${plugin}.Options>;` });
      if (panel.fieldConfig?.defaults?.custom !== undefined) {
        checks.push({ label: `${label} fieldConfig.defaults.custom`, code: `const check = ${JSON.stringify(panel.fieldConfig.defaults.custom)} satisfies Json<${plugin}.FieldConfig>;` });
      }
      for (const [index, target] of (panel.targets ?? []).entries()) {
        checks.push({ label: `${label} target ${index}`, code: `const check = ${JSON.stringify(target)} satisfies Json<prometheus.Dataquery>;` });
      }
    }
  }
  // One block per check, so each diagnostic maps back to the check it came from.
  let source = header;
  const starts: { at: number; label: string }[] = [];
  for (const check of checks) {
    starts.push({ at: source.length, label: check.label });
    source += `{ ${check.code} void check; }\n`;
  }
  errors.push(...compile(source).map(({ at, message }) => `${[...starts].reverse().find((start) => start.at <= at)?.label ?? 'header'}: ${message}`));
  return errors;
}

function compile(source: string): { at: number; message: string }[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === checkFile ? ts.createSourceFile(fileName, source, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === checkFile || fileExists(fileName);
  const program = ts.createProgram([checkFile], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ({ at: diagnostic.start ?? 0, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') }));
}
