/** GitOps emulated as DESIGN §4 says, plus the out-of-band writers it must be told apart from. */
import * as k8s from '@kubernetes/client-node';
import { kubeConfig, kubectlOk } from './cluster.js';
import { distCrd, synthFleet, toYaml } from './manifests.js';
export const ARGO = ['apply', '--server-side', '--field-manager=argocd-controller'];
export const FLUX = ['apply', '--server-side', '--field-manager=kustomize-controller', '--force-conflicts'];
export async function installCrd() {
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml([distCrd()]) });
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', `crd/${distCrd().metadata.name}`]);
}
export const nodeProps = (name, over = {}) => ({ name, chainId: 'atlantic-2', image: 'ghcr.io/sei-protocol/sei:v6.1.0', fullNode: {}, ...over });
export const manifestsOf = (namespace, props) => synthFleet({ namespace, nodes: [props] });
export const statefulSetOf = (namespace, props) => manifestsOf(namespace, props).find((o) => o.kind === 'StatefulSet');
/** Argo CD (ServerSideApply) or Flux syncing the node's manifests. */
export const sync = (namespace, props, verb = ARGO) => kubectlOk([...verb, '-f', '-'], { input: toYaml(manifestsOf(namespace, props)) });
/** Someone creating a StatefulSet by hand: `kubectl create` (field manager kubectl-create). */
export const kubectlCreate = (manifest) => kubectlOk(['create', '-f', '-'], { input: toYaml([manifest]) });
export class Live {
    namespace;
    apps;
    core;
    custom;
    constructor(namespace) {
        this.namespace = namespace;
        const kc = kubeConfig();
        this.apps = kc.makeApiClient(k8s.AppsV1Api);
        this.core = kc.makeApiClient(k8s.CoreV1Api);
        this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    }
    async sts(name) {
        return this.apps.readNamespacedStatefulSet({ name, namespace: this.namespace }).catch((e) => {
            if (e instanceof k8s.ApiException && e.code === 404)
                return undefined;
            throw e;
        });
    }
    async node(name) {
        return (await this.custom.getNamespacedCustomObject({ group: 'sei.io', version: 'v1alpha1', plural: 'seinodes', namespace: this.namespace, name }));
    }
    async events(name) {
        const list = await this.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: `involvedObject.name=${name},involvedObject.kind=SeiNode` });
        return list.items;
    }
    async eventReasons(name) {
        return (await this.events(name)).map((e) => e.reason);
    }
    condition(node, type) {
        return node.status?.conditions?.find((c) => c.type === type);
    }
    /** Deletes the StatefulSet and waits until it is gone (as Flux `force` / Argo `Replace` do before creating). */
    async deleteStsAndWait(name) {
        await this.apps.deleteNamespacedStatefulSet({ name, namespace: this.namespace, body: { propagationPolicy: 'Foreground' } }).catch(() => undefined);
        for (let i = 0; i < 300 && (await this.sts(name)); i++)
            await new Promise((r) => setTimeout(r, 100));
    }
}
