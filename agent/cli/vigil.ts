#!/usr/bin/env node
import { runDoctor } from './doctor/doctor';

const USAGE = `usage: vigil doctor [--timeout-ms <ms>]

  doctor   checks every backend the agent would use with the current environment
           (metrics port, Kafka and its log topic, the trace endpoint, Sentry) and
           prints one line per check; exits 1 when a check fails.`;

function timeoutFrom(args: readonly string[]): number | undefined {
  const at = args.indexOf('--timeout-ms');
  if (at === -1) return 5000;
  const value = Number(args[at + 1]);
  return Number.isInteger(value) && value >= 100 && value <= 120_000 ? value : undefined;
}

/**
 * kafkajs schedules some timers with a negative delay, which Node.js runs after 1 ms and reports
 * as TimeoutNegativeWarning; that report would break the one-line-per-check output. Every other
 * warning is still printed.
 */
function quietKafkaTimerWarnings(): void {
  const defaults = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of defaults) listener(warning);
  });
}

async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'doctor') {
    process.stderr.write(`vigil: unknown command ${JSON.stringify(command ?? '')}\n${USAGE}\n`);
    return 2;
  }
  const unknown = rest.filter((arg, index) => arg !== '--timeout-ms' && rest[index - 1] !== '--timeout-ms');
  const timeoutMs = timeoutFrom(rest);
  if (unknown.length > 0 || timeoutMs === undefined) {
    process.stderr.write(`vigil doctor: --timeout-ms takes an integer from 100 to 120000, and nothing else is accepted\n${USAGE}\n`);
    return 2;
  }
  return runDoctor({ env: process.env, cwd: process.cwd(), timeoutMs, write: (line) => process.stdout.write(`${line}\n`) });
}

quietKafkaTimerWarnings();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vigil: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
