import { App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ChainDataProtection } from './constructs/chain-data-protection.js';
import { SeiNodeCrd } from './constructs/seinode-crd.js';
import { SeiNode, type SeiNodeProps } from './constructs/seinode.js';
import { pruneProtection } from './lib/gitops.js';
import { projectLabels } from './lib/labels.js';

/** Output file names follow chart ids: `0000-seinode-crd.k8s.yaml` sorts (and applies) before the fleet. */
export const CRD_CHART = 'seinode-crd';

/** A chart per namespace of nodes; `nodes` are the SeiNodeProps without the namespace (the chart's). */
export interface FleetSpec {
  readonly namespace: string;
  readonly nodes: readonly Omit<SeiNodeProps, 'namespace'>[];
}

/**
 * Builds the app: the CRD chart, then one chart per fleet namespace that depends on it, so cdk8s numbers the files
 * in apply order. Kept apart from `main.ts` so tests and benchmarks synthesize any fleet the same way.
 */
export function buildApp(fleets: readonly FleetSpec[], outdir?: string): App {
  // outdir unset: cdk8s takes CDK8S_OUTDIR (what `cdk8s synth` sets), else ./dist.
  const app = new App({ ...(outdir ? { outdir } : {}), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const crdChart = new Chart(app, CRD_CHART);
  new SeiNodeCrd(crdChart, 'seinodes');
  // Cluster-wide, with the CRD: no delete of a node's data PVC gets through without the operator's annotation.
  new ChainDataProtection(crdChart, 'chain-data-protection');
  for (const fleet of fleets) {
    const chart = new Chart(app, fleet.namespace, { namespace: fleet.namespace });
    chart.addDependency(crdChart);
    // The namespace itself, so `kubectl apply -f dist/` works on a bare cluster; prune-protected like the data in it.
    new k8s.KubeNamespace(chart, 'namespace', {
      metadata: { name: fleet.namespace, labels: projectLabels(fleet.namespace, 'namespace'), annotations: pruneProtection() },
    }).addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped: the chart's namespace does not apply
    // Ids by position: output names come from props only, and a duplicate name gets SeiNode's own error.
    fleet.nodes.forEach((node, i) => new SeiNode(chart, `node-${i}`, node));
  }
  return app;
}
