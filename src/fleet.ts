import { App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { ChainDataProtection } from './constructs/chain-data-protection.js';
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

/** A node of a fleet: SeiNodeProps without the namespace (the fleet's), plus peers named by node. */
export type FleetNode = Omit<SeiNodeProps, 'namespace'> & {
  /**
   * Persistent peers by SeiNode name in the same fleet, resolved at synth to `<nodeId>@<name>.<namespace>.svc.
   * cluster.local:26656` when the named node declares its `nodeId`; a full or archive node without one goes into
   * `lookupPeers` (its ID is read from its /status at start); a validator or seed without one is refused. A validator named
   * here is also added to this node's `privatePeerIds` and `unconditionalPeerIds` (the sentry layout: its address is
   * never gossiped, and it is always let in).
   * @default none
   */
  readonly peerNodes?: readonly string[];
};

/** A chart per namespace of nodes. */
export interface FleetSpec {
  readonly namespace: string;
  readonly nodes: readonly FleetNode[];
}

/** P2P and RPC ports of every node (SEID_PORTS). */
const P2P_PORT = 26656;
const RPC_PORT = 26657;

/** The fleet's nodes with `peerNodes` resolved into `peers`, `privatePeerIds` and `unconditionalPeerIds`. */
export function resolvePeerNodes(fleet: FleetSpec): Omit<SeiNodeProps, 'namespace'>[] {
  const byName = new Map(fleet.nodes.map((n) => [n.name, n]));
  return fleet.nodes.map(({ peerNodes, ...node }) => {
    if (!peerNodes || peerNodes.length === 0) return node;
    const errors: string[] = [];
    const peers = [...(node.peers ?? [])];
    const lookupPeers = [...(node.lookupPeers ?? [])];
    const privateIds = [...(node.privatePeerIds ?? [])];
    const unconditionalIds = [...(node.unconditionalPeerIds ?? [])];
    peerNodes.forEach((name, i) => {
      const peer = byName.get(name);
      if (!peer) errors.push(`peerNodes[${i}]: no node named ${JSON.stringify(name)} in fleet ${fleet.namespace}`);
      else if (name === node.name) errors.push(`peerNodes[${i}]: a node cannot peer with itself`);
      else if (!peer.nodeId) {
        // Its ID is known only once it runs: the init step reads it from the peer's /status (on its Service's RPC).
        if (peer.validator || peer.seed)
          errors.push(`peerNodes[${i}]: ${name} has no nodeId, and a ${peer.validator ? 'validator' : 'seed'} publishes no RPC to read it from; give it a node key Secret and its nodeId`);
        else lookupPeers.push(`${name}.${fleet.namespace}.svc.cluster.local:${RPC_PORT}`);
      } else {
        peers.push(`${peer.nodeId}@${name}.${fleet.namespace}.svc.cluster.local:${P2P_PORT}`);
        if (peer.validator) {
          privateIds.push(peer.nodeId);
          unconditionalIds.push(peer.nodeId);
        }
      }
    });
    if (errors.length > 0) throw new Error(`SeiNode ${fleet.namespace}/${node.name}: invalid props:\n  - ${errors.join('\n  - ')}`);
    return {
      ...node,
      peers,
      ...(lookupPeers.length > 0 ? { lookupPeers } : {}),
      ...(privateIds.length > 0 ? { privatePeerIds: privateIds } : {}),
      ...(unconditionalIds.length > 0 ? { unconditionalPeerIds: unconditionalIds } : {}),
    };
  });
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
 * policy, numbered (0000-, 0001-, …) in that order. cdk8s numbers files once any chart depends on another, and orders
 * them by walking, in construction order, the charts nothing depends on, each after its own dependencies: so the first
 * chart after the CRD — and the admission policy — depend on the CRD chart, and no other fleet chart depends on
 * anything. cdk8s turns a chart dependency into an edge from every object of one chart to every object of the other:
 * the admission chart depending on every fleet made a 5000-node synth superlinear (profiled: 22 s, 13 s without).
 * Kept apart from `main.ts` so tests and benchmarks synthesize any fleet the same way.
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
  // Cluster-wide, with the CRD: no delete of a node's data PVC gets through without the operator's annotation.
  new ChainDataProtection(crdChart, 'chain-data-protection');
  fleets.forEach((fleet, i) => {
    const chart = new Chart(app, fleet.namespace, { namespace: fleet.namespace });
    if (i === 0 && !reconciler) chart.addDependency(crdChart);
    // The namespace itself, so `kubectl apply -f dist/` works on a bare cluster; prune-protected like the data in it.
    new k8s.KubeNamespace(chart, 'namespace', {
      metadata: { name: fleet.namespace, labels: projectLabels(fleet.namespace, 'namespace'), annotations: pruneProtection() },
    }).addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped: the chart's namespace does not apply
    // Ids by position: output names come from props only, and a duplicate name gets SeiNode's own error.
    resolvePeerNodes(fleet).forEach((node, n) => new SeiNode(chart, `node-${n}`, node));
  });
  if (options.admissionPolicy !== false && fleets.length > 0) {
    const chart = new Chart(app, ADMISSION_CHART);
    chart.addDependency(crdChart); // not on the fleets (see above): it comes last by construction order

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
