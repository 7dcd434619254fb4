import { App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { SeiNodeAdmissionPolicy, type SeiNodeAdmissionPolicyProps } from './constructs/admission-policy.js';
import { SeiNodeReconciler, type SeiNodeReconcilerProps } from './constructs/reconciler.js';
import { SeiNodeCrd } from './constructs/seinode-crd.js';
import { SeiNode, type SeiNodeProps } from './constructs/seinode.js';
import { pruneProtection } from './lib/gitops.js';
import { projectLabels } from './lib/labels.js';

/** Output file names follow chart ids: `0000-seinode-crd.k8s.yaml` sorts (and applies) before the fleet. */
export const CRD_CHART = 'seinode-crd';
/** The reconciler's chart: after the CRD (it watches SeiNodes), before the fleets. */
export const RECONCILER_CHART = 'seinode-reconciler';
/** The admission policy's chart: after the fleets, so a first sync creates the fleet before the door closes. */
export const ADMISSION_CHART = 'seinode-admission';

/** A chart per namespace of nodes; `nodes` are the SeiNodeProps without the namespace (the chart's). */
export interface FleetSpec {
  readonly namespace: string;
  readonly nodes: readonly Omit<SeiNodeProps, 'namespace'>[];
}

/** App-wide options. */
export interface FleetOptions {
  /**
   * The reconciler's Deployment, RBAC and Lease (src/constructs/reconciler.ts), in its own chart and namespace.
   * @default none rendered
   */
  readonly reconciler?: SeiNodeReconcilerProps;
  /**
   * The admission policy that lets only GitOps create or change StatefulSets and only an explicit step delete chain
   * data in the fleet namespaces (src/constructs/admission-policy.ts); `false` renders none. Its reconciler identity
   * defaults to the service account of `reconciler` when that is rendered.
   * @default on, with the default GitOps identities
   */
  readonly admissionPolicy?: false | Omit<SeiNodeAdmissionPolicyProps, 'namespaces'>;
}

/**
 * Builds the app: the CRD chart, the reconciler's chart, then one chart per fleet namespace, then the admission
 * policy, each depending on the ones before, so cdk8s numbers the files in apply order. Kept apart from `main.ts` so
 * tests and benchmarks synthesize any fleet the same way.
 */
export function buildApp(fleets: readonly FleetSpec[], outdir?: string, options: FleetOptions = {}): App {
  // outdir unset: cdk8s takes CDK8S_OUTDIR (what `cdk8s synth` sets), else ./dist.
  const app = new App({ ...(outdir ? { outdir } : {}), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const crdChart = new Chart(app, CRD_CHART);
  new SeiNodeCrd(crdChart, 'seinodes');
  const { reconciler } = options;
  if (reconciler) {
    const chart = new Chart(app, RECONCILER_CHART, { namespace: reconciler.namespace });
    chart.addDependency(crdChart);
    new SeiNodeReconciler(chart, 'reconciler', reconciler);
  }
  const fleetCharts: Chart[] = [];
  for (const fleet of fleets) {
    const chart = new Chart(app, fleet.namespace, { namespace: fleet.namespace });
    chart.addDependency(crdChart);
    // The namespace itself, so `kubectl apply -f dist/` works on a bare cluster; prune-protected like the data in it.
    new k8s.KubeNamespace(chart, 'namespace', {
      metadata: { name: fleet.namespace, labels: projectLabels(fleet.namespace, 'namespace'), annotations: pruneProtection() },
    }).addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped: the chart's namespace does not apply
    // Ids by position: output names come from props only, and a duplicate name gets SeiNode's own error.
    fleet.nodes.forEach((node, i) => new SeiNode(chart, `node-${i}`, node));
    fleetCharts.push(chart);
  }
  if (options.admissionPolicy !== false && fleets.length > 0) {
    const chart = new Chart(app, ADMISSION_CHART);
    for (const c of fleetCharts) chart.addDependency(c);
    const reconcilerIdentity = reconciler
      ? `system:serviceaccount:${reconciler.namespace}:${reconciler.name ?? 'seinode-reconciler'}`
      : undefined;
    new SeiNodeAdmissionPolicy(chart, 'policy', {
      ...(reconcilerIdentity ? { reconcilerIdentity } : {}),
      ...(options.admissionPolicy ?? {}),
      namespaces: fleets.map((f) => f.namespace),
    });
  }
  return app;
}
