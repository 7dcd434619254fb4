/**
 * One control plane per test run. Its coordinates go into the environment, which the Jest workers (started after
 * this) inherit; helpers/cluster.ts reads them back. global-teardown.ts stops it.
 */
import { startControlPlane, type ControlPlane } from '../kube/controlplane.js';

declare global {
  // eslint-disable-next-line no-var
  var __seiControlPlane: ControlPlane | undefined;
}

export default async function globalSetup(): Promise<void> {
  const cp = await startControlPlane();
  globalThis.__seiControlPlane = cp;
  process.env.KUBECONFIG = cp.kubeconfigPath;
  process.env.SEI_KUBE_SERVER = cp.server;
  process.env.SEI_KUBE_TOKEN = cp.token;
  process.env.SEI_KUBE_CA = cp.caPath;
  process.env.SEI_KUBE_BIN = cp.binaries.dir;
  process.env.SEI_KUBE_VERSION = cp.binaries.kubernetesVersion;
  process.env.SEI_KUBE_DIR = cp.dir;
  process.env.SEI_KUBE_IDENTITIES = JSON.stringify(cp.identities);
  process.env.SEI_KUBE_CONTROLLER_MANAGER = String(cp.binaries.hasControllerManager);
}
