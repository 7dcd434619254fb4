/**
 * The control-plane binaries: etcd, kube-apiserver, kube-controller-manager and kubectl, built from the Go module in
 * this directory (versions pinned by its go.mod/go.sum) into a cache outside Git, or taken from KUBEBUILDER_ASSETS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
const MODULE_DIR = import.meta.dirname;
const COMPLETE = '.complete';
export const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'];
/** The versions go.mod pins: one source of truth for the build, the cache key and the version the tests expect. */
export function pinnedVersions() {
    const goMod = readFileSync(join(MODULE_DIR, 'go.mod'), 'utf8');
    const version = (mod) => {
        const m = new RegExp(`^\\s*${mod.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm').exec(goMod);
        if (!m)
            throw new Error(`test/kube/go.mod does not require ${mod}`);
        return m[1];
    };
    return { kubernetes: version('k8s.io/kubernetes'), etcd: version('go.etcd.io/etcd/server/v3') };
}
function cacheDir() {
    const { kubernetes, etcd } = pinnedVersions();
    const inputs = ['go.mod', 'go.sum', 'etcd/main.go'].map((f) => readFileSync(join(MODULE_DIR, f)));
    const key = createHash('sha256').update(Buffer.concat(inputs)).digest('hex').slice(0, 12);
    const root = process.env.SEI_KUBE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sei-gitops', 'kube');
    return join(root, `k8s-${kubernetes}-etcd-${etcd}-${key}`);
}
const pathsIn = (dir) => Object.fromEntries(BINARIES.map((b) => [b, join(dir, b)]));
/** `-X` flags so `kubectl version` and /version report the pinned release instead of v0.0.0-master. */
function versionLdflags(kubernetes) {
    const [major, minor] = kubernetes.replace(/^v/, '').split('.');
    return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
        .flatMap((pkg) => [
        `-X ${pkg}.gitVersion=${kubernetes}`,
        `-X ${pkg}.gitMajor=${major}`,
        `-X ${pkg}.gitMinor=${minor}`,
        `-X ${pkg}.gitTreeState=clean`,
        `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    ])
        .join(' ');
}
const log = (msg) => process.stderr.write(`[kube] ${msg}\n`);
/**
 * The binaries, building them first when the cache has no complete build for the pinned versions. A build goes to a
 * temporary directory and is renamed into place when all four are there, so an interrupted build is redone.
 */
export async function ensureBinaries() {
    const { kubernetes } = pinnedVersions();
    const assets = process.env.KUBEBUILDER_ASSETS;
    if (assets) {
        const paths = pathsIn(assets);
        const missing = BINARIES.filter((b) => b !== 'kube-controller-manager' && !existsSync(paths[b]));
        if (missing.length > 0)
            throw new Error(`KUBEBUILDER_ASSETS=${assets} has no ${missing.join(', ')}`);
        const hasControllerManager = existsSync(paths['kube-controller-manager']);
        if (!hasControllerManager)
            log(`KUBEBUILDER_ASSETS has no kube-controller-manager: no garbage collection or StatefulSet controller`);
        const version = spawnSync(paths['kube-apiserver'], ['--version'], { encoding: 'utf8' }).stdout.trim();
        return { dir: assets, paths, hasControllerManager, kubernetesVersion: version.split(' ').pop() ?? '', source: 'KUBEBUILDER_ASSETS' };
    }
    const dir = cacheDir();
    if (existsSync(join(dir, COMPLETE)))
        return { dir, paths: pathsIn(dir), hasControllerManager: true, kubernetesVersion: kubernetes, source: 'cache' };
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (go.error || go.status !== 0)
        throw new Error('Go is needed to build the test control plane (etcd, kube-apiserver, kube-controller-manager, kubectl) and was ' +
            'not found on PATH. Install Go >= 1.24, or point KUBEBUILDER_ASSETS at a directory holding those binaries ' +
            '(the setup-envtest layout).');
    const staging = `${dir}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    log(`building etcd, kube-apiserver, kube-controller-manager, kubectl ${kubernetes} from Go modules (${go.stdout.trim()}) ` +
        `into ${dir} — a cold build takes roughly 10–25 minutes on 2 cores; later runs reuse it`);
    const t0 = performance.now();
    const args = [
        'build',
        '-trimpath',
        '-ldflags',
        `-s -w ${versionLdflags(kubernetes)}`,
        '-o',
        `${staging}/`,
        './etcd',
        'k8s.io/kubernetes/cmd/kube-apiserver',
        'k8s.io/kubernetes/cmd/kube-controller-manager',
        'k8s.io/kubernetes/cmd/kubectl',
    ];
    const ticker = setInterval(() => log(`still building (${Math.round((performance.now() - t0) / 60000)} min)…`), 60_000);
    try {
        await new Promise((resolve, reject) => {
            const child = spawn('go', args, { cwd: MODULE_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GOFLAGS: '-mod=readonly' } });
            child.on('error', reject);
            child.on('exit', (code, signal) => code === 0 ? resolve() : reject(new Error(`go build failed (${signal ?? `exit ${code}`}); see the output above`)));
        });
    }
    finally {
        clearInterval(ticker);
    }
    const missing = BINARIES.filter((b) => !existsSync(join(staging, b)));
    if (missing.length > 0)
        throw new Error(`go build produced no ${missing.join(', ')} in ${staging}`);
    writeFileSync(join(staging, COMPLETE), `${new Date().toISOString()} ${Math.round(performance.now() - t0)} ms\n`);
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`built in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
    return { dir, paths: pathsIn(dir), hasControllerManager: true, kubernetesVersion: kubernetes, source: 'built' };
}
