import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './helpers/cluster.js';
import { ROOT } from './helpers/manifests.js';
const CLI = join(ROOT, 'test/kube/cli.ts');
/** Control-plane processes (by their temp dir) other than the one this test run shares. */
function otherControlPlanes() {
    const shared = process.env.SEI_KUBE_DIR;
    const found = new Map();
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmd = '';
        try {
            cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        }
        catch {
            continue;
        }
        const dir = /(\/\S*\/sei-kube-[A-Za-z0-9]+)/.exec(cmd)?.[1];
        if (dir && dir !== shared && /etcd|kube-apiserver|kube-controller-manager/.test(cmd))
            found.set(Number(pid), dir);
    }
    return found;
}
function run(args) {
    // As `npm run kube` runs it: tsx as an in-process loader, so signals reach the CLI itself.
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise((r) => child.on('exit', (code, sig) => r(code ?? sig ?? -1)));
    return { child, exit, out: () => stdout, err: () => stderr };
}
describe('npm run kube -- <command>', () => {
    it('runs the command against a fresh control plane with the matching kubectl, exits with its status, leaves nothing', async () => {
        const r = run(['bash', '-c', 'echo "$KUBECONFIG"; kubectl get --raw /readyz; echo; command -v kubectl; exit 7']);
        expect(await r.exit).toBe(7);
        const [kubeconfig, ready, kubectlPath] = r.out().trim().split('\n');
        expect(ready).toBe('ok');
        expect(kubectlPath).toBe(join(process.env.SEI_KUBE_BIN, 'kubectl'));
        expect(existsSync(kubeconfig)).toBe(false);
        expect(otherControlPlanes().size).toBe(0);
    }, 90_000);
    it('Ctrl-C tears the control plane down: no processes, no temp dir', async () => {
        const r = run(['sleep', '120']);
        await eventually('the command to start', async () => /\[kube\] running: sleep 120/.test(r.err()), 60_000);
        const started = otherControlPlanes();
        expect([...new Set(started.values())]).toHaveLength(1);
        const dir = [...started.values()][0];
        process.kill(-r.child.pid, 'SIGINT'); // the terminal sends SIGINT to the whole foreground group
        await r.exit;
        await eventually('every control-plane process to exit', async () => [...started.keys()].every((pid) => !existsSync(`/proc/${pid}`)), 20_000);
        expect(existsSync(dir)).toBe(false);
    }, 90_000);
    it('Ctrl-C while the control plane starts aborts the start: exit 130, no processes, no temp dir', async () => {
        const r = run(['sleep', '120']);
        // etcd is up and kube-apiserver is still coming up (it takes seconds to be ready): the window the CI run hit,
        // where Node's default SIGINT would kill the CLI without its exit handlers and orphan both.
        await eventually('etcd to start', async () => otherControlPlanes().size > 0, 60_000);
        const started = otherControlPlanes();
        const dir = [...started.values()][0];
        process.kill(-r.child.pid, 'SIGINT');
        expect(await r.exit).toBe(130);
        expect(r.err()).toMatch(/SIGINT while starting: tearing down/);
        await eventually('every control-plane process to exit', async () => otherControlPlanes().size === 0, 20_000);
        expect(existsSync(dir)).toBe(false);
    }, 90_000);
    it('prints its usage and exits 2 without a command', async () => {
        const r = run([]);
        expect(await r.exit).toBe(2);
        expect(r.err()).toMatch(/^usage: npm run kube -- <command>/);
    });
});
