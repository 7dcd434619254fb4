/**
 * What an integration test needs from the shared control plane (started by global-setup.ts): a client-node
 * KubeConfig, a namespace of its own, and kubectl.
 */
import { afterAll, beforeAll } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
function env(name) {
    const value = process.env[name];
    if (!value)
        throw new Error(`${name} is not set: run integration tests through jest's global setup (npm test)`);
    return value;
}
export const KUBECONFIG = () => env('KUBECONFIG');
export const hasControllerManager = () => process.env.SEI_KUBE_CONTROLLER_MANAGER === 'true';
/** Appended to the title of a test that needs kube-controller-manager when it is skipped, so the report says why. */
export const controllerManagerSkipReason = () => hasControllerManager() ? '' : ' [skipped: KUBEBUILDER_ASSETS has no kube-controller-manager]';
export function kubeConfig(path = KUBECONFIG()) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(path);
    return kc;
}
/** A kubeconfig for a token-file identity other than the admin (see controlplane.ts), e.g. 'reconciler'. */
export function kubeconfigFor(user) {
    const ids = JSON.parse(env('SEI_KUBE_IDENTITIES'));
    if (!ids[user])
        throw new Error(`no test identity ${user}`);
    const path = join(env('SEI_KUBE_DIR'), `${user}.kubeconfig`);
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
        clusters: [{ name: 'c', server: env('SEI_KUBE_SERVER'), caFile: env('SEI_KUBE_CA') }],
        users: [{ name: user, token: ids[user].token }],
        contexts: [{ name: 'c', cluster: 'c', user }],
        currentContext: 'c',
    });
    writeFileSync(path, kc.exportConfig());
    return path;
}
/** Runs the control plane's kubectl. Never throws on a non-zero exit: tests assert on the result. */
export function kubectl(args, opts = {}) {
    return new Promise((resolve, reject) => {
        const child = spawn(join(env('SEI_KUBE_BIN'), 'kubectl'), args, {
            env: { ...process.env, KUBECONFIG: opts.kubeconfig ?? KUBECONFIG(), PATH: `${env('SEI_KUBE_BIN')}${delimiter}${process.env.PATH}` },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
        child.stdin.end(opts.input ?? '');
    });
}
/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(args, opts = {}) {
    const r = await kubectl(args, opts);
    if (r.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
}
/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually(what, check, timeoutMs = 30_000, everyMs = 200) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
        try {
            const v = await check();
            if (v !== undefined && v !== false)
                return v;
        }
        catch (e) {
            last = e;
        }
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
/**
 * A fresh namespace for the calling test file, created before its tests and deleted after them.
 * Read `.name` inside tests (it is set in beforeAll).
 */
export function useNamespace(prefix) {
    const ns = { name: '' };
    beforeAll(async () => {
        ns.name = `${prefix}-${randomBytes(3).toString('hex')}`;
        await kubeConfig().makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: ns.name } } });
    });
    afterAll(async () => {
        if (ns.name)
            await kubeConfig().makeApiClient(k8s.CoreV1Api).deleteNamespace({ name: ns.name }).catch(() => undefined);
    });
    return ns;
}
