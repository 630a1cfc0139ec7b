import type { VigilConfig } from '../../config/options';
import { fail, off, ok, reason, type Check } from './check';

/**
 * The DSN's syntax is checked when the configuration loads; here Sentry itself is asked: an envelope
 * that carries no event is accepted with the project's key and refused with a wrong one.
 */
export function sentryCheck(config: VigilConfig): Check {
  const { dsn } = config.sentry;
  return {
    name: 'sentry',
    async run(signal) {
      if (dsn === undefined) return off('SENTRY_DSN is not set: crash capture is off');
      const url = new URL(dsn);
      const projectId = url.pathname.split('/').pop() ?? '';
      const prefix = url.pathname.slice(0, url.pathname.lastIndexOf('/'));
      const envelope = `${url.protocol}//${url.host}${prefix}/api/${projectId}/envelope/`;
      const shown = `${url.protocol}//${url.host}${prefix}/${projectId}`;
      let response: Response;
      try {
        response = await fetch(envelope, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-sentry-envelope',
            'x-sentry-auth': `Sentry sentry_version=7, sentry_client=vigil-doctor/1, sentry_key=${url.username}`,
          },
          body: '{}\n',
          signal,
        });
        await response.arrayBuffer();
      } catch (error) {
        return fail(`Sentry at ${url.host} cannot be reached: ${reason(error)}: check the host in SENTRY_DSN and the network`);
      }
      if (response.status === 401 || response.status === 403) {
        return fail(`Sentry refuses the key of SENTRY_DSN for project ${projectId} (${response.status}): copy the DSN again from the project's Client Keys page`);
      }
      if (response.status === 404) return fail(`Sentry has no project ${projectId} at ${shown} (404): copy the DSN again from the project's settings`);
      if (!response.ok) return fail(`Sentry answered ${response.status} at ${shown}: check its status and SENTRY_DSN`);
      return ok(`Sentry accepts the key of SENTRY_DSN for project ${projectId} at ${url.host}`);
    },
  };
}
