import type { EventHint } from '@sentry/node';
import { censorSecrets } from '../logging/redaction';

type Attachment = NonNullable<EventHint['attachments']>[number];

export const REPORT_FILENAME = 'node-diagnostic-report.json';

/**
 * Node's diagnostic report (`process.report`) for a fatal error: the JavaScript and native stacks,
 * heap and resource usage, libuv handles, loaded libraries. The environment variables are left
 * out, since they routinely hold credentials, and the rest is censored by the redaction list.
 * Undefined when the runtime cannot make one.
 */
export function diagnosticReport(error: unknown): Attachment | undefined {
  try {
    const raw = error instanceof Error ? process.report.getReport(error) : process.report.getReport();
    const { environmentVariables: _environment, ...report } = raw as Record<string, unknown>;
    const sections: Record<string, unknown> = {};
    // Censored section by section: each one gets the redaction walk's full budget.
    for (const [name, section] of Object.entries(report)) {
      sections[name] = isPlainObject(section) ? censorSecrets(section) : section;
    }
    return { filename: REPORT_FILENAME, contentType: 'application/json', data: JSON.stringify(sections) };
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
