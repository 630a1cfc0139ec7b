// The deployment files under test, read from the repository.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const root = new URL('../../../', import.meta.url).pathname;
export const deployDir = join(root, 'deploy');
export const kubernetesDir = join(deployDir, 'kubernetes');

export function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

/** Repository-relative paths of every file under `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** Folders under deploy/kubernetes that kustomize can build. */
export function kustomizations(): string[] {
  return filesUnder('deploy/kubernetes')
    .filter((path) => path.endsWith('/kustomization.yaml'))
    .map((path) => path.slice(0, -'/kustomization.yaml'.length));
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What `kubectl apply -k <dir>` would send: the kustomize build of `dir`. */
export function kustomize(dir: string): KubeObject[] {
  const output = execFileSync('kubectl', ['kustomize', join(root, dir)], { encoding: 'utf8' });
  return parseAllDocuments(output).map((document) => document.toJS() as KubeObject);
}
