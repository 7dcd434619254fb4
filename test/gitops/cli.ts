/**
 * `npm run gitops -- flux|argo [options] DIR`: run the real Flux (kustomize-controller's ssa) or Argo CD
 * (gitops-engine sync) apply engine against the cluster KUBECONFIG names — e.g. inside `npm run kube -- …`.
 *
 *   npm run gitops -- --build-only                                    # build (or find) the binary and exit
 *   npm run gitops -- flux --inventory /tmp/inv.json --prune dist/
 *   npm run gitops -- argo --sync-option ServerSideApply=true --prune --state /tmp/app.json dist/
 *   npm run gitops -- argo --help
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { ensureEnginesBinary } from './build.js';

async function main(argv: string[]): Promise<number> {
  const binary = await ensureEnginesBinary();
  if (argv[0] === '--build-only') {
    process.stderr.write(`[gitops] ${binary.source}: ${binary.path}\n`);
    return 0;
  }
  const child = spawn(binary.path, argv, { stdio: 'inherit' });
  return new Promise<number>((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`[gitops] cannot run ${binary.path}: ${e.message}\n`);
      resolve(127);
    });
    child.on('exit', (c, signal) => resolve(c ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[gitops] ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
