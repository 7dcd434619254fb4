/**
 * `npm run kube -- <command...>`: start a throw-away control plane, run the command with KUBECONFIG pointing at it
 * and the matching kubectl first on PATH, tear everything down, exit with the command's status.
 *
 *   npm run kube -- kubectl get --raw /readyz
 *   npm run kube -- bash                       # a shell against a fresh cluster
 *   npm run kube -- --build-only               # build (or find) the binaries and exit
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { delimiter } from 'node:path';
import { ensureBinaries } from './build.js';
import { startControlPlane } from './controlplane.js';
const USAGE = `usage: npm run kube -- <command> [args...]
       npm run kube -- --build-only
Starts etcd + kube-apiserver + kube-controller-manager on 127.0.0.1, runs <command> with KUBECONFIG set and the
matching kubectl first on PATH, then tears the control plane down and exits with the command's status.`;
async function main(argv) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
        process.stderr.write(`${USAGE}\n`);
        return argv.length === 0 ? 2 : 0;
    }
    if (argv[0] === '--build-only') {
        const b = await ensureBinaries();
        process.stderr.write(`[kube] ${b.source}: ${b.dir}\n`);
        return 0;
    }
    // Signals are ours from the first line: Node's default SIGINT kills the process without running 'exit' handlers,
    // which would orphan the detached etcd and kube-apiserver. While the control plane starts, a signal aborts the
    // start (process.exit runs controlplane's exit handler, which kills what has started and removes its temp dir).
    // Once the command runs, Ctrl-C reaches the whole foreground group and is the command's to handle (a shell
    // survives it); SIGTERM/SIGHUP are passed on to it; we tear down when it exits.
    let child;
    const onSignal = (sig) => {
        if (!child) {
            process.stderr.write(`[kube] ${sig} while starting: tearing down\n`);
            process.exit(128 + osConstants.signals[sig]);
        }
        if (sig !== 'SIGINT')
            child.kill(sig);
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const sig of signals)
        process.on(sig, onSignal);
    try {
        const cp = await startControlPlane({ handleSignals: false });
        try {
            process.stderr.write(`[kube] running: ${argv.join(' ')}\n`);
            child = spawn(argv[0], argv.slice(1), {
                stdio: 'inherit',
                env: {
                    ...process.env,
                    KUBECONFIG: cp.kubeconfigPath,
                    PATH: `${cp.binaries.dir}${delimiter}${process.env.PATH ?? ''}`,
                },
            });
            const running = child;
            return await new Promise((resolve) => {
                running.on('error', (e) => {
                    process.stderr.write(`[kube] cannot run ${argv[0]}: ${e.message}\n`);
                    resolve(127);
                });
                running.on('exit', (c, signal) => resolve(c ?? 128 + (signal ? osConstants.signals[signal] : 0)));
            });
        }
        finally {
            await cp.stop();
        }
    }
    finally {
        for (const sig of signals)
            process.off(sig, onSignal);
    }
}
main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`[kube] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
