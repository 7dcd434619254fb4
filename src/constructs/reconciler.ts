import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { projectLabels } from '../lib/labels.js';
import { SeiNodeReconcilerRbac } from './reconciler-rbac.js';

/** Props of the reconciler's deployment. */
export interface SeiNodeReconcilerProps {
  /** Namespace the reconciler runs in (rendered as a Namespace; its Lease lives there too). */
  readonly namespace: string;
  /** The reconciler image (the repository's Dockerfile). Pin by digest. */
  readonly image: string;
  /**
   * Name of the Deployment, ServiceAccount, roles, PodDisruptionBudget, Service and the leader-election Lease.
   * @default 'seinode-reconciler'
   */
  readonly name?: string;
  /**
   * Replicas: one leads, the others wait with warm caches and take over within the lease duration.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Namespaces to watch (`--namespace`, one per entry).
   * @default all namespaces
   */
  readonly watchNamespaces?: readonly string[];
  /**
   * Port of /metrics, /healthz and /readyz.
   * @default 8080
   */
  readonly metricsPort?: number;
  /**
   * Container resources.
   * @default DEFAULT_RECONCILER_RESOURCES (requests 50m / 128Mi, memory limit 256Mi, no CPU limit)
   */
  readonly resources?: k8s.ResourceRequirements;
}

/** A few hundred SeiNodes and their StatefulSets in the informer caches fit in well under 128Mi. */
export const DEFAULT_RECONCILER_RESOURCES: k8s.ResourceRequirements = {
  requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') },
  limits: { memory: k8s.Quantity.fromString('256Mi') },
};

/** The distroless "nonroot" user the image runs as. */
export const RECONCILER_UID = 65532;

/**
 * V8 limits the container runs with. Node sizes its heap for the machine, not the container, and lets garbage pile
 * up: at 1000 nodes the reconciler held 313 MB RSS with 136 MB of heap, most of it garbage; with these limits 127 MB
 * RSS and 44 MB heap, and a first sync 2 s slower (bench/reconciler-scale.bench.ts). Well inside the 256Mi limit.
 */
export const RECONCILER_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=2';

/**
 * seinode-reconciler as a GitOps-synced deployment: its Namespace, ServiceAccount and least-privilege RBAC
 * (RECONCILER_RULES cluster-wide, plus a Role for its own Lease in its own namespace only), a Deployment of
 * leader-electing replicas spread over nodes, a PodDisruptionBudget that keeps one running through drains, and a
 * Service for its metrics.
 */
export class SeiNodeReconciler extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  public readonly rbac: SeiNodeReconcilerRbac;

  constructor(scope: Construct, id: string, props: SeiNodeReconcilerProps) {
    super(scope, id);
    const name = props.name ?? 'seinode-reconciler';
    const namespace = props.namespace;
    const port = props.metricsPort ?? 8080;
    const replicas = props.replicas ?? 2;
    const problems: string[] = [];
    if (!Number.isInteger(replicas) || replicas < 1) problems.push(`replicas: ${replicas} is not a positive integer`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`metricsPort: ${port} is not a port`);
    if (!props.image) problems.push('image: required');
    const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    if (!label.test(namespace) || namespace.length > 63) problems.push(`namespace: ${JSON.stringify(namespace)} is not a namespace name`);
    if (!label.test(name) || name.length > 63) problems.push(`name: ${JSON.stringify(name)} is not a DNS label`);
    for (const ns of props.watchNamespaces ?? [])
      if (!label.test(ns) || ns.length > 63) problems.push(`watchNamespaces: ${JSON.stringify(ns)} is not a namespace name`);
    if (problems.length > 0) throw new Error(`SeiNodeReconciler ${namespace}/${name}: invalid props:\n  - ${problems.join('\n  - ')}`);

    const labels = projectLabels(name, 'reconciler');
    const selector = { 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'reconciler' };

    const ns = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace, labels: projectLabels(namespace, 'namespace') } });
    if (Chart.of(this).namespace) ns.addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped
    this.rbac = new SeiNodeReconcilerRbac(this, 'Rbac', { namespace, name });
    // The ClusterRole and its binding are cluster-scoped: the chart's namespace does not apply to them.
    if (Chart.of(this).namespace)
      for (const child of this.rbac.node.children)
        if (child instanceof ApiObject && child.kind.startsWith('Cluster')) child.addJsonPatch(JsonPatch.remove('/metadata/namespace'));

    // Leader election: create needs no name (RBAC cannot restrict create by name); get/update only its own Lease.
    const leaseRole = `${name}-leader-election`;
    new k8s.KubeRole(this, 'LeaseRole', {
      metadata: { name: leaseRole, namespace, labels },
      rules: [
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [name], verbs: ['get', 'update'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'LeaseRoleBinding', {
      metadata: { name: leaseRole, namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: leaseRole },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });

    const args = [
      `--metrics-addr=:${port}`,
      `--leader-election-namespace=${namespace}`,
      `--leader-election-id=${name}`,
      ...[...(props.watchNamespaces ?? [])].sort().map((ns) => `--namespace=${ns}`),
    ];
    const probe = (path: string, periodSeconds: number, failureThreshold: number): k8s.Probe => ({
      httpGet: { path, port: k8s.IntOrString.fromString('metrics') },
      periodSeconds,
      failureThreshold,
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            // The pod must talk to the API server as its ServiceAccount: the projected token is the one credential it
            // needs (bound, expiring); nothing else is mounted.
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RECONCILER_UID,
              runAsGroup: RECONCILER_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            // Preferred, not required: on a one-node cluster both replicas still run, and a drain still proceeds
            // (a required rule would leave one Pending and the PDB would then block every drain).
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
                ],
              },
            },
            containers: [
              {
                name: 'reconciler',
                image: props.image,
                args,
                env: [{ name: 'NODE_OPTIONS', value: RECONCILER_NODE_OPTIONS }],
                ports: [{ name: 'metrics', containerPort: port }],
                readinessProbe: probe('/readyz', 5, 3),
                livenessProbe: probe('/healthz', 10, 3),
                resources: props.resources ?? DEFAULT_RECONCILER_RESOURCES,
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    });
    new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
      metadata: { name, namespace, labels },
      spec: { minAvailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selector } },
    });
    new k8s.KubeService(this, 'MetricsService', {
      metadata: { name, namespace, labels },
      spec: { selector, ports: [{ name: 'metrics', port, targetPort: k8s.IntOrString.fromString('metrics') }] },
    });
  }
}
