/** The contract every natively started service of the stack fulfils. */

export type ServiceName = 'kafka' | 'elasticsearch' | 'jaeger' | 'prometheus' | 'alertmanager';

export interface PortSpec {
  readonly role: string;
  readonly defaultPort: number;
  /** Environment variable that overrides the default. */
  readonly env: string;
}

export interface ServiceContext {
  /** The service's own directory: configuration, data, log and state live here. */
  readonly dir: string;
  readonly ports: Readonly<Record<string, number>>;
  /** Values generated once for this directory (passwords, cluster ids) and kept across restarts. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The ports of another service prepared in the same stack, for services that point at each other. */
  portOf(service: ServiceName, role: string): number | undefined;
}

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export interface ServiceDefinition {
  readonly name: ServiceName;
  readonly version: string;
  readonly ports: readonly PortSpec[];
  /** Commands this service needs on PATH, with the Debian package that provides each. */
  readonly requires: readonly { command: string; debianPackage: string }[];
  /** Downloads or builds the service once into the cache; later calls return at once. */
  install(log: (line: string) => void): Promise<void>;
  /** Writes configuration and initialises storage in a fresh directory; returns secrets to keep. */
  prepare(context: ServiceContext): Promise<Record<string, string>>;
  launch(context: ServiceContext): LaunchSpec;
  /** One health probe; resolves false (never throws) while the service is not ready. */
  healthy(context: ServiceContext): Promise<boolean>;
  /** What a user or test connects to, e.g. { url: 'http://127.0.0.1:9200' }. */
  endpoints(context: ServiceContext): Record<string, string>;
}
