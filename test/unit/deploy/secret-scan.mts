// Finds credentials written into deployment files. A secret may only arrive by reference: a
// ${VAR} that compose fills from deploy/.env, a $(VAR) or secretKeyRef in Kubernetes, a variable
// the container's shell expands ($$VAR, $VAR), or a file. Anything else is a finding.
import { parseAllDocuments } from 'yaml';

export interface Finding {
  readonly file: string;
  /** Where in the file: a YAML path, or a line number. */
  readonly where: string;
  readonly reason: string;
}

// Names that hold a secret end in one of these words; secretName or credentials_file only point at one.
const SECRET_NAME = /(pass|password|passwd|secret|token|api[_-]?key|credentials?|private[_-]?key|encryption[_-]?key|dsn)$/i;
const SHAPES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'a JSON web token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bsk_(live|test)_[A-Za-z0-9]{16,}/, 'a Stripe key'],
  [/[a-z][a-z0-9+.-]*:\/\/[^\s/:@${}]+:(?!\$)[^\s/@{}]+@/i, 'a URL with a password in it'],
  [/\b(?:Bearer|Basic|ApiKey)\s+(?!\$)[A-Za-z0-9+/=._-]{12,}/, 'a literal Authorization header'],
  [/\s-u\s+\\?["']?[A-Za-z0-9_.-]+:(?!\$)[^\s"'\\]+/, 'curl -u with a literal password'],
];

/**
 * True for a value written out, or a default for one. A value that starts with "$" is filled in later: ${VAR} by compose
 * from deploy/.env, $(VAR) by Kubernetes, $VAR or $$(...) by the container's shell.
 */
function isSecretValue(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'boolean') return false;
  const text = String(value).trim().replace(/^["']/, '');
  // ${VAR:-default} writes a default secret for everyone who leaves VAR unset.
  if (/^\$\{\w+:?-[^}]/.test(text)) return true;
  return text !== '' && !text.startsWith('$');
}

function scanShapes(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    for (const [pattern, what] of SHAPES) {
      if (pattern.test(line)) findings.push({ file, where: `line ${index + 1}`, reason: `${what}` });
    }
  });
  return findings;
}

/** Walks parsed YAML: secret-named keys, KEY=value strings, Kubernetes env entries and Secrets. */
function scanYamlNode(file: string, node: unknown, path: string, findings: Finding[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => scanYamlNode(file, item, `${path}[${index}]`, findings));
    return;
  }
  if (typeof node === 'string') {
    const assignment = /^([A-Za-z_][A-Za-z0-9_.]*)=(.*)$/s.exec(node);
    if (assignment && SECRET_NAME.test(assignment[1] ?? '') && isSecretValue(assignment[2])) {
      findings.push({ file, where: path, reason: `${assignment[1]} is given a literal value` });
    }
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (record.kind === 'Secret' && (record.data !== undefined || record.stringData !== undefined)) {
    findings.push({ file, where: path || 'document', reason: 'a Kubernetes Secret with its data written out' });
  }
  // Kubernetes env entry: { name: DB_PASSWORD, value: "..." }.
  if (typeof record.name === 'string' && 'value' in record && SECRET_NAME.test(record.name) && isSecretValue(record.value)) {
    findings.push({ file, where: `${path}.value`, reason: `${record.name} is given a literal value` });
  }
  for (const [key, value] of Object.entries(record)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (SECRET_NAME.test(key) && (typeof value !== 'object' || value === null) && isSecretValue(value)) {
      findings.push({ file, where: childPath, reason: `${key} is given a literal value` });
    }
    scanYamlNode(file, value, childPath, findings);
  }
}

/** Lines of .env files, Dockerfiles and shell scripts: NAME=value and ENV/ARG NAME value. */
function scanAssignments(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#')) return;
    const match =
      /^(?:export\s+|ENV\s+|ARG\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/.exec(line) ??
      /^ENV\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/.exec(line);
    if (!match) return;
    const [, name = '', rawValue = ''] = match;
    if (SECRET_NAME.test(name) && isSecretValue(rawValue)) {
      findings.push({ file, where: `line ${index + 1}`, reason: `${name} is given a literal value` });
    }
  });
  return findings;
}

export function findWrittenSecrets(file: string, text: string): Finding[] {
  const findings = scanShapes(file, text);
  if (/\.ya?ml$/.test(file)) {
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        findings.push({ file, where: 'document', reason: `not valid YAML: ${document.errors[0]?.message}` });
        continue;
      }
      scanYamlNode(file, document.toJS(), '', findings);
    }
  } else {
    findings.push(...scanAssignments(file, text));
  }
  return findings;
}
