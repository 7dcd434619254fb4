import { describe, expect, it } from '@jest/globals';
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { SeiNodeReconciler, type SeiNodeReconcilerProps } from '../../../src/constructs/reconciler.js';
import { RECONCILER_RULES } from '../../../src/constructs/reconciler-rbac.js';

const render = (props: Partial<SeiNodeReconcilerProps> = {}) => {
  const chart = new Chart(new App(), 'r', { namespace: 'sei-system' });
  new SeiNodeReconciler(chart, 'reconciler', { namespace: 'sei-system', image: 'example.invalid/r@sha256:00', ...props });
  return Testing.synth(chart) as any[];
};
const byKind = (docs: any[], kind: string) => docs.filter((d) => d.kind === kind);

describe('SeiNodeReconciler', () => {
  it('renders exactly: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, Role, RoleBinding, Deployment, PDB, Service', () => {
    expect(render().map((d) => d.kind)).toEqual([
      'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'PodDisruptionBudget', 'Service',
    ]);
  });

  it('cluster-scoped objects carry no namespace; namespaced ones the given one', () => {
    for (const d of render()) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind)) expect(d.metadata.namespace).toBeUndefined();
      else expect(d.metadata.namespace).toBe('sei-system');
    }
  });

  it('grants RECONCILER_RULES cluster-wide and its own Lease only (create unnamed, get/update by name)', () => {
    const docs = render();
    expect(byKind(docs, 'ClusterRole')[0].rules).toEqual(JSON.parse(JSON.stringify(RECONCILER_RULES)));
    expect(byKind(docs, 'Role')[0].rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['seinode-reconciler'], verbs: ['get', 'update'] },
    ]);
  });

  it('a 2-replica, leader-electing, locked-down Deployment with probes on /readyz and /healthz', () => {
    const d = byKind(render({ watchNamespaces: ['sei-b', 'sei-a'] }), 'Deployment')[0];
    expect(d.spec.replicas).toBe(2);
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector).toEqual(d.spec.selector);
    const [c] = pod.containers;
    expect(c.args).toEqual([
      '--metrics-addr=:8080', '--leader-election-namespace=sei-system', '--leader-election-id=seinode-reconciler', '--namespace=sei-a', '--namespace=sei-b',
    ]);
    expect([c.readinessProbe.httpGet, c.livenessProbe.httpGet]).toEqual([{ path: '/readyz', port: 'metrics' }, { path: '/healthz', port: 'metrics' }]);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(c.imagePullPolicy).toBeUndefined(); // nothing the props did not ask for
  });

  it('takes its name, replicas, port and resources from props', () => {
    const docs = render({
      name: 'r2', replicas: 3, metricsPort: 9100,
      resources: { requests: { cpu: k8s.Quantity.fromString('1') } },
    });
    const d = byKind(docs, 'Deployment')[0];
    expect(d.metadata.name).toBe('r2');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0].args.slice(0, 3)).toEqual(['--metrics-addr=:9100', '--leader-election-namespace=sei-system', '--leader-election-id=r2']);
    expect(d.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '1' } });
    expect(byKind(docs, 'Service')[0].spec.ports).toEqual([{ name: 'metrics', port: 9100, targetPort: 'metrics' }]);
    expect(byKind(docs, 'PodDisruptionBudget')[0].spec.minAvailable).toBe(1);
  });

  it('refuses bad names', () => {
    expect(() => render({ name: 'Bad_Name', watchNamespaces: ['ok', 'Not OK'] })).toThrow(
      'SeiNodeReconciler sei-system/Bad_Name: invalid props:\n  - name: "Bad_Name" is not a DNS label\n  - watchNamespaces: "Not OK" is not a namespace name',
    );
  });

  it('refuses bad props, naming the object and every field', () => {
    expect(() => render({ replicas: 0, metricsPort: 70000, image: '' })).toThrow(
      'SeiNodeReconciler sei-system/seinode-reconciler: invalid props:\n  - replicas: 0 is not a positive integer\n  - metricsPort: 70000 is not a port\n  - image: required',
    );
  });
});
