/**
 * The GitOps engines binary (`sei-gitops-engines`): Flux's and Argo CD's apply engines built from the Go module in
 * this directory (versions pinned by its go.mod/go.sum) into a cache outside Git, keyed by a hash of the module's
 * files, so a change to go.mod, go.sum or a source file builds a new one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const MODULE_DIR = import.meta.dirname;
const BINARY = 'sei-gitops-engines';
const COMPLETE = '.complete';

export interface EnginesBinary {
  readonly path: string;
  readonly source: 'cache' | 'built';
}

/** go.mod, go.sum and every .go file: what the binary is built from, so what its cache key hashes. */
function moduleInputs(): string[] {
  return ['go.mod', 'go.sum', ...readdirSync(MODULE_DIR).filter((f) => f.endsWith('.go')).sort()];
}

export function cacheDir(): string {
  const hash = createHash('sha256');
  for (const f of moduleInputs()) hash.update(f).update('\0').update(readFileSync(join(MODULE_DIR, f))).update('\0');
  const root =
    process.env.SEI_GITOPS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sei-gitops', 'gitops');
  return join(root, hash.digest('hex').slice(0, 16));
}

const log = (msg: string) => process.stderr.write(`[gitops] ${msg}\n`);

/**
 * The binary, building it first when the cache has no complete build for this module. The build goes to a temporary
 * directory renamed into place when done, so an interrupted build is redone. `go build -p 2`: the machine is shared.
 */
export async function ensureEnginesBinary(): Promise<EnginesBinary> {
  const dir = cacheDir();
  const path = join(dir, BINARY);
  if (existsSync(join(dir, COMPLETE))) return { path, source: 'cache' };

  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0)
    throw new Error('Go >= 1.25 is needed to build the GitOps engines (test/gitops) and was not found on PATH.');

  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`building ${BINARY} (Flux ssa + Argo CD gitops-engine, ${go.stdout.trim()}) into ${dir}; later runs reuse it`);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['build', '-p', '2', '-trimpath', '-ldflags', '-s -w', '-o', join(staging, BINARY), '.'], {
      cwd: MODULE_DIR,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`go build of test/gitops failed (${signal ?? `exit ${code}`}); see the output above`)),
    );
  });
  const ms = Math.round(performance.now() - t0);
  writeFileSync(join(staging, COMPLETE), `${new Date().toISOString()} ${ms} ms\n`);
  mkdirSync(dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`built in ${(ms / 1000).toFixed(1)} s, ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`);
  return { path, source: 'built' };
}
