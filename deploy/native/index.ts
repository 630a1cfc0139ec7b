// The native stack as a library, for the CLI and the test support.
export { SERVICES, SERVICE_NAMES, isServiceName } from './catalogue';
export { cacheDir, defaultStackDir } from './paths';
export { checkPrerequisites, StackPrerequisiteError } from './prerequisites';
export { findOnPath } from './install/commands';
export { recipePath } from './paths';
export { alertmanagerArgs, ALERTMANAGER_COMMAND } from './services/alertmanager';
export type { ServiceName } from './service';
export { Stack, type ServiceCondition, type ServiceStatus, type StackOptions } from './stack';
