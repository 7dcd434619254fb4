import { App, Chart, JsonPatch, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { SeiNodeCrd } from './constructs/seinode-crd.js';
import { SeiNode, type SeiNodeProps } from './constructs/seinode.js';
import { pruneProtection } from './lib/gitops.js';
import { projectLabels } from './lib/labels.js';

/** Output file names follow chart ids: `0000-seinode-crd.k8s.yaml` sorts (and applies) before the fleet. */
export const CRD_CHART = 'seinode-crd';

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

/**
 * Builds the app: the CRD chart, then one chart per fleet namespace that depends on it, so cdk8s numbers the files
 * in apply order. Kept apart from `main.ts` so tests and benchmarks synthesize any fleet the same way.
 */
export function buildApp(fleets: readonly FleetSpec[], outdir?: string): App {
  // outdir unset: cdk8s takes CDK8S_OUTDIR (what `cdk8s synth` sets), else ./dist.
  const app = new App({ ...(outdir ? { outdir } : {}), yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const crdChart = new Chart(app, CRD_CHART);
  new SeiNodeCrd(crdChart, 'seinodes');
  for (const fleet of fleets) {
    const chart = new Chart(app, fleet.namespace, { namespace: fleet.namespace });
    chart.addDependency(crdChart);
    // The namespace itself, so `kubectl apply -f dist/` works on a bare cluster; prune-protected like the data in it.
    new k8s.KubeNamespace(chart, 'namespace', {
      metadata: { name: fleet.namespace, labels: projectLabels(fleet.namespace, 'namespace'), annotations: pruneProtection() },
    }).addJsonPatch(JsonPatch.remove('/metadata/namespace')); // cluster-scoped: the chart's namespace does not apply
    // Ids by position: output names come from props only, and a duplicate name gets SeiNode's own error.
    resolvePeerNodes(fleet).forEach((node, i) => new SeiNode(chart, `node-${i}`, node));
  }
  return app;
}
