import { findOnPath } from './install/commands';
import type { ServiceDefinition } from './service';

export class StackPrerequisiteError extends Error {
  override readonly name = 'StackPrerequisiteError';
}

/**
 * Fails with one message naming everything missing, so a machine without the tools learns in one
 * go what to install rather than one failure per service.
 */
export function checkPrerequisites(services: readonly ServiceDefinition[]): void {
  const missing = new Map<string, string>();
  for (const service of services) {
    for (const { command, debianPackage } of service.requires) {
      if (!findOnPath(command)) missing.set(command, debianPackage);
    }
  }
  if (missing.size === 0) return;
  const commands = [...missing].map(([command, pkg]) => `${command} (Debian package ${pkg})`).join(', ');
  throw new StackPrerequisiteError(
    `the native stack needs ${commands}. On Debian or Ubuntu run \`bash deploy/native/install-system-packages.sh\` as root; ` +
      `elsewhere install them, or start the services with Docker: \`docker compose -f deploy/docker-compose.yml up -d\`.`,
  );
}
