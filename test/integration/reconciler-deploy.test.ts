import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kubectl, kubectlOk } from './helpers/cluster.js';
import { ARGO, installCrd } from './helpers/gitops.js';
import { distReconciler, toYaml } from './helpers/manifests.js';

beforeAll(installCrd, 90_000);

/** The committed dist/ reconciler deployment, applied as Argo CD would, and what its identity may and may not do. */
describe('the synthesized SeiNodeReconciler (dist/)', () => {
  const objects = distReconciler();
  const namespace = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
  const deployment = objects.find((o) => o.kind === 'Deployment')!;
  const sa = objects.find((o) => o.kind === 'ServiceAccount')!.metadata.name;
  const as = `--as=system:serviceaccount:${namespace}:${sa}`;
  const canI = async (...args: string[]) => (await kubectl(['auth', 'can-i', ...args, as])).stdout.trim();

  // The namespace stays (the control plane is thrown away after the run): sidecar.test.ts dry-runs into it too.
  afterAll(async () => {
    await kubectl(['delete', 'clusterrolebinding,clusterrole', sa]);
  });

  it('applies server-side and re-applies as a no-op', async () => {
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(objects) });
    const live = JSON.parse(await kubectlOk(['get', 'deployment', deployment.metadata.name, '-n', namespace, '-o', 'json']));
    expect(live.spec.replicas).toBe(2);
    expect(live.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(live.spec.template.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    const rv = live.metadata.resourceVersion;
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(objects) });
    expect(JSON.parse(await kubectlOk(['get', 'deployment', deployment.metadata.name, '-n', namespace, '-o', 'json'])).metadata.resourceVersion).toBe(rv);
    expect(await kubectlOk(['get', 'pdb', deployment.metadata.name, '-n', namespace, '-o', 'jsonpath={.spec.minAvailable}'])).toBe('1');
  }, 60_000);

  it.each([
    [['create', 'statefulsets', '-n', 'default'], 'no'],
    [['patch', 'statefulsets', '-n', 'default'], 'no'],
    [['update', 'statefulsets', '-n', 'default'], 'no'],
    [['delete', 'statefulsets', '-n', 'default'], 'yes'],
    [['get', 'secrets', '-n', 'default'], 'no'],
    [['list', 'secrets', '-A'], 'no'],
    [['get', 'secrets', '-n', 'NS'], 'no'],
    [['update', 'seinodes.sei.io', '-n', 'default'], 'no'],
    [['update', 'seinodes.sei.io', '--subresource=status', '-n', 'default'], 'yes'],
    [['create', 'leases.coordination.k8s.io', '-n', 'NS'], 'yes'],
    [['get', 'leases.coordination.k8s.io/SA', '-n', 'NS'], 'yes'],
    [['update', 'leases.coordination.k8s.io/SA', '-n', 'NS'], 'yes'],
    [['update', 'leases.coordination.k8s.io/another-controller', '-n', 'NS'], 'no'],
    [['delete', 'leases.coordination.k8s.io/SA', '-n', 'NS'], 'no'],
    [['create', 'leases.coordination.k8s.io', '-n', 'default'], 'no'],
    [['update', 'leases.coordination.k8s.io/SA', '-n', 'default'], 'no'],
    [['update', 'leases.coordination.k8s.io/SA', '-n', 'kube-system'], 'no'],
  ])('its ServiceAccount: can-i %j → %s', async (args, expected) => {
    await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(objects) });
    const filled = args.map((a) => a.replace('NS', namespace).replace('/SA', `/${sa}`));
    expect(await canI(...filled)).toBe(expected);
  }, 30_000);
});
