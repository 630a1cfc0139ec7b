import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const root = join(import.meta.dirname, '../../..');
const doc = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
const options = readFileSync(join(root, 'agent/config/options.ts'), 'utf8');
const resolve = readFileSync(join(root, 'agent/config/resolve.ts'), 'utf8');

it('documents every init() option in docs/configuration.md', () => {
  const body = options.slice(options.indexOf('export interface VigilOptions'), options.indexOf('\n}\n'));
  const names = [...body.matchAll(/^\s+(\w+)\?:/gm)].map((match) => match[1]!);
  assert.ok(names.length > 20);
  for (const name of names) assert.ok(doc.includes(`| \`${name}\` |`), `option ${name} is not documented`);
});

it('documents every environment variable the configuration reads', () => {
  const variables = new Set([...resolve.matchAll(/'((?:OTEL|VIGIL|SENTRY)_[A-Z_]+)'/g)].map((match) => match[1]!));
  assert.ok(variables.size > 20);
  for (const variable of variables) assert.ok(doc.includes(variable), `${variable} is not documented`);
});
