// One control plane per test run. Plain ESM (Jest loads global setup outside its transform), loading the TypeScript
// harness through tsx. Its coordinates go into the environment, which the Jest workers (started after this) inherit;
// helpers/cluster.ts reads them back. global-teardown.mjs stops it.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { startControlPlane } = await tsImport('../kube/controlplane.ts', import.meta.url);
  // The GitOps engines binary first: every GitOps step of the tests goes through it (helpers/engines.ts).
  const { ensureEnginesBinary } = await tsImport('../gitops/build.ts', import.meta.url);
  const engines = await ensureEnginesBinary();
  const cp = await startControlPlane();
  globalThis.__seiControlPlane = cp;
  Object.assign(process.env, {
    KUBECONFIG: cp.kubeconfigPath,
    SEI_KUBE_SERVER: cp.server,
    SEI_KUBE_TOKEN: cp.token,
    SEI_KUBE_CA: cp.caPath,
    SEI_KUBE_BIN: cp.binaries.dir,
    SEI_KUBE_VERSION: cp.binaries.kubernetesVersion,
    SEI_KUBE_DIR: cp.dir,
    SEI_KUBE_IDENTITIES: JSON.stringify(cp.identities),
    SEI_KUBE_CONTROLLER_MANAGER: String(cp.binaries.hasControllerManager),
    SEI_GITOPS_ENGINES: engines.path,
  });
}
