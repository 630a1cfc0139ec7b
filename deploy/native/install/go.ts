import { chmod, readdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, recipePath } from '../paths';
import { fillOnce } from './cache-entry';
import { run } from './run';

const PROXY = process.env.GOPROXY?.split(/[,|]/).find((entry) => entry.startsWith('http')) ?? 'https://proxy.golang.org';

/** Reads a directive or a required module's version from a build module's go.mod. */
export function goModVersion(module: string, dependency: string): string {
  const goMod = readFileSync(recipePath(module, 'go.mod'), 'utf8');
  const pattern = dependency === 'go' ? /^go (\S+)/m : new RegExp(`^\\s*${dependency.replace(/\./g, '\\.')} (v\\S+)`, 'm');
  const match = pattern.exec(goMod);
  if (!match?.[1]) throw new Error(`${recipePath(module, 'go.mod')} does not pin ${dependency}`);
  return match[1];
}

function minorOf(goVersion: string): number {
  return Number(/^go1\.(\d+)/.exec(goVersion)?.[1] ?? 0);
}

/**
 * A `go` command able to build `module`. Go 1.21 and later fetch the toolchain a go.mod asks for
 * by themselves; without such a Go, the same toolchain module is fetched from the module proxy.
 */
async function goCommand(module: string, log: (line: string) => void): Promise<string> {
  const local = await run('go', ['env', 'GOVERSION']).catch(() => '');
  if (minorOf(local.trim()) >= 21) return 'go';

  const goVersion = goModVersion(module, 'go');
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  if (!arch || process.platform !== 'linux') throw new Error(`no Go toolchain download for ${process.platform}/${process.arch}: install Go 1.21 or later`);
  const release = `v0.0.1-go${goVersion}.linux-${arch}`;
  const target = join(cacheDir(), `go-toolchain-${goVersion}`);
  await fillOnce(target, async (scratch) => {
    log(`fetching the Go ${goVersion} toolchain from ${PROXY}`);
    const response = await fetch(`${PROXY}/golang.org/toolchain/@v/${release}.zip`);
    if (!response.ok) throw new Error(`Go toolchain ${release}: ${PROXY} answered ${response.status}`);
    const zip = `${scratch}.zip`;
    await writeFile(zip, Buffer.from(await response.arrayBuffer()));
    try {
      await run('unzip', ['-q', zip, '-d', scratch]);
    } finally {
      await rm(zip, { force: true });
    }
    // Module zips carry no file modes.
    const root = join(scratch, `golang.org/toolchain@${release}`);
    for (const dir of ['bin', join('pkg', 'tool', `linux_${arch}`)]) {
      for (const file of await readdir(join(root, dir))) await chmod(join(root, dir, file), 0o755);
    }
  });
  return join(target, `golang.org/toolchain@${release}`, 'bin', 'go');
}

/** Builds `pkg` of the build module `module` into `<cache>/<entry>/<binary>`, once. */
export async function goBuild(module: string, pkg: string, entry: string, binary: string, log: (line: string) => void): Promise<string> {
  const target = join(cacheDir(), entry);
  const started = Date.now();
  const filled = await fillOnce(target, async (scratch) => {
    const go = await goCommand(module, log);
    log(`building ${pkg} with Go (takes minutes on a cold cache)`);
    await run(go, ['build', '-trimpath', '-o', join(scratch, binary), pkg], {
      cwd: recipePath(module),
      env: { GOTOOLCHAIN: 'auto', GOFLAGS: '-mod=readonly -buildvcs=false' },
    });
  });
  if (filled) log(`built ${entry} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return join(target, binary);
}
