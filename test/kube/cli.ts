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

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    process.stderr.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--build-only') {
    const b = await ensureBinaries();
    process.stderr.write(`[kube] ${b.source}: ${b.dir}\n`);
    return 0;
  }

  const cp = await startControlPlane({ handleSignals: false });
  // Ctrl-C reaches the whole foreground group: the command decides what it means (a shell ignores it); we tear
  // down when the command exits. SIGTERM/SIGHUP are passed on to it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: 'inherit',
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfigPath,
        PATH: `${cp.binaries.dir}${delimiter}${process.env.PATH ?? ''}`,
      },
    });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onTerm = forward('SIGTERM');
    const onHup = forward('SIGHUP');
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const code = await new Promise<number>((resolve) => {
      child.on('error', (e) => {
        process.stderr.write(`[kube] cannot run ${argv[0]}: ${e.message}\n`);
        resolve(127);
      });
      child.on('exit', (c, signal) => resolve(c ?? 128 + (signal ? osConstants.signals[signal] : 0)));
    });
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
    return code;
  } finally {
    process.off('SIGINT', ignore);
    await cp.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[kube] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
