/**
 * `npm run bench`: runs every benchmark module in this folder (each exports `bench()`, returning a
 * Markdown section) and writes it into BENCHMARKS.md between markers of its own, so
 * `npm run bench -- agent tracing` reruns only those and keeps the other sections.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';

interface BenchModule {
  bench(): Promise<string>;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const names = readdirSync(__dirname)
    .filter((file) => file.endsWith('.js') && file !== 'run.js')
    .map((file) => basename(file, '.js'))
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  const target = join(__dirname, '../../BENCHMARKS.md');
  for (const name of names) {
    const module = (await import(join(__dirname, `${name}.js`))) as Partial<BenchModule>;
    if (typeof module.bench !== 'function') continue;
    process.stderr.write(`bench: ${name}\n`);
    const section = `${(await module.bench()).trim()}\n\n${machine()}`;
    // Read just before writing: another run may have rewritten other sections meanwhile.
    const document = replaceSection(existsSync(target) ? readFileSync(target, 'utf8') : '', name, section);
    writeFileSync(target, `${header()}\n\n${document.replace(/^[\s\S]*?(?=<!-- bench:|$)/, '').trim()}\n`);
    process.stderr.write(`bench: wrote the ${name} section of ${target}\n`);
  }
}

function replaceSection(document: string, name: string, section: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${section.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 || to === -1) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, from) + block + document.slice(to + end.length);
}

function header(): string {
  return [
    '# Benchmarks',
    '',
    'Measured by `npm run bench`. Every table compares variants measured side by side in one run, alternating round by round,',
    'medians over rounds; the machine is shared, so the ratios matter more than the absolute numbers. Each section says when',
    'and on what machine it was last run: sections run on different processors are not comparable with each other.',
  ].join('\n');
}

/** Ratios between agents move with the processor (V8's costs do not all scale alike), so each section names its own. */
function machine(): string {
  return `Machine: Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}.`;
}

void main();
