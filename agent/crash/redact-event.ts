import type { Event } from '@sentry/node';
import { censorSecrets } from '../logging/redaction';

const SECTIONS = ['request', 'extra', 'contexts', 'user', 'tags'] as const;

/**
 * Censors every part of an event that can carry a service's data with the logs' redaction list,
 * the last step before the event leaves the process. Each section, and each breadcrumb, is walked
 * on its own so that a large one cannot use up the budget the walk has for the others.
 */
export function redactEvent(event: Event): Event {
  const redacted: Event = { ...event };
  const target = redacted as Record<string, unknown>;
  for (const section of SECTIONS) {
    const value = target[section];
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) target[section] = censorSecrets(value as Record<string, unknown>);
  }
  if (redacted.request?.cookies !== undefined) {
    const { cookies: _cookies, ...request } = redacted.request;
    redacted.request = request;
  }
  if (event.breadcrumbs !== undefined) {
    redacted.breadcrumbs = event.breadcrumbs.map((crumb) => censorSecrets(crumb as Record<string, unknown>));
  }
  return redacted;
}
