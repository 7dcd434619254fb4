import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Chart } from 'cdk8s';
import { DEFAULT_GITOPS_IDENTITIES, DEFAULT_RECONCILER_IDENTITY, SeiNodeAdmissionPolicy } from '../../src/constructs/admission-policy.js';
import { eventually, kubectl, kubectlOk, kubeconfigFor, useNamespace } from './helpers/cluster.js';
import { argoSync, fluxApply } from './helpers/engines.js';
import { ARGO, installCrd, manifestsOf, nodeProps, statefulSetOf } from './helpers/gitops.js';
import { toYaml, type Manifest } from './helpers/manifests.js';

beforeAll(installCrd, 90_000);

/**
 * The synthesized ValidatingAdmissionPolicy on the real API server (its admission plugin is on by default). Users:
 * the admin impersonates the GitOps and reconciler service accounts (usernames are what the policy checks; the
 * group system:masters gives them RBAC); `impostor` is an ordinary token user allowed by RBAC to write StatefulSets and PVCs.
 */
describe('SeiNodeAdmissionPolicy', () => {
  const ns = useNamespace('adm');
  const name = () => `sei-gitops-${ns.name}`;
  const as = (user: string) => [`--as=${user}`, '--as-group=system:masters'];
  const ARGO_SA = as(DEFAULT_GITOPS_IDENTITIES[0]);
  let impostor: string;
  let policy: Manifest[];

  beforeAll(async () => {
    impostor = kubeconfigFor('impostor');
    // (The built-in `edit` role is aggregated by a controller this control plane does not run: grant the verbs directly.)
    await kubectlOk(['create', 'role', 'writer', '--verb=get,list,create,update,patch,delete', '--resource=statefulsets.apps,persistentvolumeclaims', '-n', ns.name]);
    await kubectlOk(['create', 'rolebinding', 'impostor-edit', '--role=writer', '--user=impostor', '-n', ns.name]);
    // The status and scale subresources are not in `edit`; grant them so the test shows the policy does not block them.
    await kubectlOk(['create', 'role', 'sts-status', '--verb=get,update,patch', '--resource=statefulsets/status,statefulsets/scale', '-n', ns.name]);
    await kubectlOk(['create', 'rolebinding', 'impostor-status', '--role=sts-status', '--user=impostor', '-n', ns.name]);
    const chart = new Chart(new App(), 'adm');
    new SeiNodeAdmissionPolicy(chart, 'p', { namespaces: [ns.name], name: name() });
    policy = chart.toJson() as Manifest[];
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(policy) });
  });
  afterAll(async () => {
    for (const o of policy ?? []) await kubectl(['delete', o.kind, o.metadata.name, '--ignore-not-found']);
  });

  it('denies a kubectl create of a StatefulSet by an ordinary user, saying who may and why', async () => {
    const manifest = toYaml([statefulSetOf(ns.name, nodeProps('door'))]);
    const denied = await eventually('the policy to take effect', async () => {
      const r = await kubectl(['create', '-f', '-'], { input: manifest, kubeconfig: impostor });
      if (r.code === 0) await kubectl(['delete', 'statefulset', 'door', '-n', ns.name, '--wait=false']); // before the policy loaded
      return /may be created only by GitOps/.test(r.stderr) ? r : undefined;
    });
    expect(denied.stderr).toMatch(
      new RegExp(`StatefulSet ${ns.name}/door may be created only by GitOps \\(${DEFAULT_GITOPS_IDENTITIES[0]}, ${DEFAULT_GITOPS_IDENTITIES[1]}\\), not by impostor: commit it to Git`),
    );
  });

  it('lets the GitOps identities apply the node, and keeps spec changes theirs', async () => {
    // The real engines, which act as those service accounts (helpers/engines.ts).
    await argoSync(ns.name, manifestsOf(ns.name, nodeProps('door')), { app: `${ns.name}.door` });
    await fluxApply(ns.name, manifestsOf(ns.name, nodeProps('door', { paused: true })), { name: `${ns.name}.door`, prune: false });
    const restart = await kubectl(['rollout', 'restart', 'statefulset/door', '-n', ns.name], { kubeconfig: impostor });
    expect(restart.code).not.toBe(0);
    expect(restart.stderr).toMatch(/its spec is written by GitOps only .* not by impostor: change it in Git \(to restart the node, delete its pod\)/);
    // Metadata-only changes pass (the garbage collector's finalizers, a label).
    await kubectlOk(['label', 'statefulset', 'door', 'team=validators', '-n', ns.name], { kubeconfig: impostor });
  });

  it('does not block the status and scale subresources', async () => {
    await kubectlOk(['patch', 'statefulset', 'door', '-n', ns.name, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":0}}'], { kubeconfig: impostor });
    await kubectlOk(['scale', 'statefulset/door', '--replicas=1', '-n', ns.name], { kubeconfig: impostor });
  });

  it('lets the reconciler delete a StatefulSet, and no ordinary user', async () => {
    const byImpostor = await kubectl(['delete', 'statefulset', 'door', '-n', ns.name], { kubeconfig: impostor });
    expect(byImpostor.code).not.toBe(0);
    expect(byImpostor.stderr).toMatch(/may be deleted only by GitOps or seinode-reconciler/);
    await kubectlOk(['delete', 'statefulset', 'door', '-n', ns.name, ...as(DEFAULT_RECONCILER_IDENTITY)]);
  });

  it('lets only GitOps create a data PVC (chain data deletes are ChainDataProtection\'s, tested in engines-chain-data)', async () => {
    const claim = (name: string) =>
      toYaml([{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns.name, labels: { 'sei.io/node': 'fake' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }]);
    const created = await kubectl(['create', '-f', '-'], { input: claim('data-fake'), kubeconfig: impostor });
    expect(created.code).not.toBe(0);
    expect(created.stderr).toMatch(new RegExp(`PersistentVolumeClaim ${ns.name}/data-fake \\(chain data\\) may be created only by .*, not by impostor`));
    await kubectlOk(['create', ...ARGO_SA, '-f', '-'], { input: claim('data-fake') });
  });
});
