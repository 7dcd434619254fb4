import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
/** A minimal StatefulSet manifest, as GitOps or an impostor would send it. */
const manifest = (name, ns) => JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: ns, annotations: { 'sei.io/fingerprint': 'f'.repeat(64) } },
    spec: {
        replicas: 0,
        serviceName: name,
        selector: { matchLabels: { 'sei.io/node': name } },
        template: { metadata: { labels: { 'sei.io/node': name } }, spec: { containers: [{ name: 'seid', image: 'example.invalid/seid:1' }] } },
    },
});
function kubectl(kubeconfig, args, input) {
    const r = spawnSync('kubectl', args, { input, encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig } });
    if (r.status !== 0)
        throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}
/**
 * Writes StatefulSets the ways that matter (GitOps server-side apply, kubectl create, client-side apply, a Flux
 * takeover of an Argo-applied object, a status write by the controller) and returns each one's managedFields with
 * the volatile `time` dropped.
 */
export async function captureManagedFields(kubeconfig) {
    const ns = `capture-${randomBytes(3).toString('hex')}`;
    kubectl(kubeconfig, ['create', 'namespace', ns]);
    try {
        const ssa = (name, manager, force = false) => kubectl(kubeconfig, ['apply', '--server-side', `--field-manager=${manager}`, ...(force ? ['--force-conflicts'] : []), '-f', '-'], manifest(name, ns));
        ssa('argocd', 'argocd-controller');
        ssa('flux', 'kustomize-controller', true);
        kubectl(kubeconfig, ['create', '-f', '-'], manifest('kubectl-create', ns));
        kubectl(kubeconfig, ['apply', '-f', '-'], manifest('client-side-apply', ns));
        ssa('flux-takeover', 'argocd-controller');
        ssa('flux-takeover', 'kustomize-controller', true);
        ssa('argocd-status', 'argocd-controller');
        // The StatefulSet controller's own writes go through the status subresource; emulate one.
        kubectl(kubeconfig, ['patch', 'statefulset', 'argocd-status', '-n', ns, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":0,"observedGeneration":1}}', '--field-manager=kube-controller-manager']);
        // Everyday operator actions on a GitOps-made StatefulSet: none of them may look like a new creator.
        ssa('argocd-rollout', 'argocd-controller');
        kubectl(kubeconfig, ['rollout', 'restart', 'statefulset/argocd-rollout', '-n', ns]);
        ssa('argocd-patch', 'argocd-controller');
        kubectl(kubeconfig, ['patch', 'statefulset', 'argocd-patch', '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":1,"template":{"spec":{"terminationGracePeriodSeconds":60}}}}']);
        ssa('argocd-scale', 'argocd-controller');
        kubectl(kubeconfig, ['scale', 'statefulset', 'argocd-scale', '-n', ns, '--replicas=1']);
        ssa('argocd-csa', 'argocd-controller');
        kubectl(kubeconfig, ['apply', '-f', '-'], manifest('argocd-csa', ns));
        // A hand-made StatefulSet that an engine then co-applies: the creator keeps its creation fields.
        kubectl(kubeconfig, ['create', '-f', '-'], manifest('create-then-argocd', ns));
        ssa('create-then-argocd', 'argocd-controller');
        const get = (name) => JSON.parse(kubectl(kubeconfig, ['get', 'statefulset', name, '-n', ns, '-o', 'json', '--show-managed-fields'])).metadata.managedFields.map(({ time: _time, ...rest }) => rest);
        return {
            argocd: get('argocd'),
            flux: get('flux'),
            kubectlCreate: get('kubectl-create'),
            clientSideApply: get('client-side-apply'),
            fluxTakeover: get('flux-takeover'),
            argocdThenController: get('argocd-status'),
            argocdThenRollout: get('argocd-rollout'),
            argocdThenPatch: get('argocd-patch'),
            argocdThenScale: get('argocd-scale'),
            argocdThenClientSideApply: get('argocd-csa'),
            kubectlCreateThenArgocd: get('create-then-argocd'),
        };
    }
    finally {
        kubectl(kubeconfig, ['delete', 'namespace', ns, '--wait=false']);
    }
}
