/** What both stack commands print and how they end, so `vigil-stack` and `npm run stack` read alike. */

export interface StatusRow {
  readonly name: string;
  readonly version: string;
  readonly condition: string;
  readonly pid?: number | undefined;
  readonly endpoints: Readonly<Record<string, string | number>>;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** Prints one line per row; exits non-zero, like an init script's status, when any is not running. */
export function printStatus(rows: readonly StatusRow[]): number {
  for (const row of rows) {
    const endpoints = Object.entries(row.endpoints).map(([key, value]) => `${key}=${value}`).join(' ');
    process.stdout.write(`${pad(row.name, 14)}${pad(row.version, 10)}${pad(row.condition, 11)}${row.pid ?? '-'}\t${endpoints}\n`);
  }
  return rows.every((row) => row.condition === 'running') ? 0 : 3;
}

/** Runs a command's main function and exits with its code; a failure is one line on stderr. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`vigil-stack: ${error.message}\n`);
      process.exit(1);
    },
  );
}
