// Runs the built `vigil doctor` as a user would, with only the environment a test gives it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { root } from './files.mts';

export interface DoctorRun {
  code: number | null;
  lines: string[];
}

export function doctor(env: Record<string, string>, args: string[] = []): Promise<DoctorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/agent/cli/vigil.js', 'doctor', ...args], {
      cwd: root,
      // Only what the test sets: the developer's own VIGIL_* or OTEL_* must not leak in.
      env: { PATH: process.env.PATH, OTEL_TRACES_EXPORTER: 'none', VIGIL_METRICS_PORT: '0', ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, lines: output.trim().split('\n') }));
  });
}

export function line(run: DoctorRun, name: string): string {
  const found = run.lines.find((candidate) => candidate.slice(5).startsWith(`${name}:`));
  assert.ok(found, `a line for ${name} in:\n${run.lines.join('\n')}`);
  return found;
}

