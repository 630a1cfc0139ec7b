import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, recipePath } from '../paths';
import { fillOnce } from './cache-entry';
import { run } from './run';

/** What a Java service resolved through Maven needs on PATH. */
export const MAVEN_SERVICE_REQUIREMENTS = [
  { command: 'java', debianPackage: 'openjdk-17-jre-headless' },
  { command: 'mvn', debianPackage: 'maven' },
] as const;

/** Reads a pinned version (a `<property>` of the pom) so the pom stays the one place it is set. */
export function pomProperty(pom: string, property: string): string {
  const match = new RegExp(`<${property.replace(/\./g, '\\.')}>([^<]+)</`).exec(readFileSync(recipePath(pom), 'utf8'));
  if (!match?.[1]) throw new Error(`${recipePath(pom)} does not set <${property}>`);
  return match[1];
}

/**
 * Runs one maven-dependency-plugin goal of `pom` into `<cache>/<entry>`, once. Maven keeps what it
 * downloaded in ~/.m2, so even a deleted entry is rebuilt without the network.
 */
export async function mavenInstall(pom: string, goal: string, entry: string, log: (line: string) => void): Promise<string> {
  const target = join(cacheDir(), entry);
  const started = Date.now();
  const filled = await fillOnce(target, (scratch) =>
    run('mvn', ['-B', '-q', '-f', recipePath(pom), `dependency:${goal}`, `-DoutputDirectory=${scratch}`]).then(() => undefined),
  );
  if (filled) log(`installed ${entry} from Maven Central in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return target;
}
