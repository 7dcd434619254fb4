/**
 * GitOps as the tests drive it — through the real engines (./engines.ts) — plus the out-of-band writers it must be
 * told apart from.
 */
import * as k8s from '@kubernetes/client-node';
import type { SeiNodeProps } from '../../../src/constructs/seinode.js';
import type { SeiNodeObject } from '../../../src/reconciler/types.js';
import { kubeConfig, kubectlOk } from './cluster.js';
import { argoSync, fluxApply } from './engines.js';
import { distCrd, synthFleet, toYaml, type Manifest } from './manifests.js';

/**
 * Which engine `sync` uses. They are also kubectl arguments that write under the engine's field manager, for tests
 * that need such a write outside an engine (`kubectlOk([...ARGO, '-f', …])`): that is an imitation, not a sync.
 */
export const ARGO = ['apply', '--server-side', '--field-manager=argocd-controller'];
export const FLUX = ['apply', '--server-side', '--field-manager=kustomize-controller', '--force-conflicts'];

/** The CRD, synced by Argo CD (ServerSideApply) as its own Application, as a fleet's CRD app would be. */
export async function installCrd(): Promise<void> {
  await argoSync('', [distCrd()], { app: 'sei-crd' });
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', `crd/${distCrd().metadata.name}`]);
}

export const nodeProps = (name: string, over: Partial<SeiNodeProps> = {}): SeiNodeProps =>
  ({ name, chainId: 'atlantic-2', image: 'ghcr.io/sei-protocol/sei:v6.1.0', allowImageTag: true, fullNode: {}, bootstrap: { none: {} }, ...over }) as SeiNodeProps;

export const manifestsOf = (namespace: string, props: SeiNodeProps): Manifest[] => synthFleet({ namespace, nodes: [props] });
export const statefulSetOf = (namespace: string, props: SeiNodeProps): Manifest =>
  manifestsOf(namespace, props).find((o) => o.kind === 'StatefulSet')!;

/**
 * The node's manifests synced by the real Argo CD engine (ServerSideApply=true, no prune) or, with `FLUX`, one
 * reconcile of the real Flux engine (prune on). Each node is its own Application / Kustomization, named
 * `<namespace>.<node>`, so syncing one node never prunes another.
 */
export const sync = async (namespace: string, props: SeiNodeProps, verb = ARGO): Promise<void> => {
  const app = `${namespace}.${props.name}`;
  if (verb === FLUX) await fluxApply(namespace, manifestsOf(namespace, props), { name: app });
  else await argoSync(namespace, manifestsOf(namespace, props), { app });
};

/** Someone creating a StatefulSet by hand: `kubectl create` (field manager kubectl-create). */
export const kubectlCreate = (manifest: Manifest) => kubectlOk(['create', '-f', '-'], { input: toYaml([manifest]) });

export class Live {
  readonly apps: k8s.AppsV1Api;
  readonly core: k8s.CoreV1Api;
  readonly custom: k8s.CustomObjectsApi;
  constructor(readonly namespace: string) {
    const kc = kubeConfig();
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
  }
  async sts(name: string): Promise<k8s.V1StatefulSet | undefined> {
    return this.apps.readNamespacedStatefulSet({ name, namespace: this.namespace }).catch((e) => {
      if (e instanceof k8s.ApiException && e.code === 404) return undefined;
      throw e;
    });
  }
  async node(name: string): Promise<SeiNodeObject> {
    return (await this.custom.getNamespacedCustomObject({ group: 'sei.io', version: 'v1alpha1', plural: 'seinodes', namespace: this.namespace, name })) as SeiNodeObject;
  }
  async events(name: string): Promise<k8s.CoreV1Event[]> {
    const list = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=SeiNode` });
    return list.items;
  }
  async eventReasons(name: string): Promise<string[]> {
    return (await this.events(name)).map((e) => e.reason!);
  }
  condition(node: SeiNodeObject, type: string) {
    return node.status?.conditions?.find((c) => c.type === type);
  }
  /** Deletes the StatefulSet and waits until it is gone (as Flux `force` / Argo `Replace` do before creating). */
  async deleteStsAndWait(name: string): Promise<void> {
    await this.apps.deleteNamespacedStatefulSet({ name, namespace: this.namespace, body: { propagationPolicy: 'Foreground' } }).catch(() => undefined);
    for (let i = 0; i < 300 && (await this.sts(name)); i++) await new Promise((r) => setTimeout(r, 100));
  }
}
