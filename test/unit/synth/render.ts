import { App, Chart, Testing } from 'cdk8s';
import { SeiNode, type SeiNodeProps } from '../../../src/constructs/seinode.js';

export type Manifest = { apiVersion: string; kind: string; metadata: any; spec?: any };

/** Synthesizes nodes in a fresh app and returns the rendered objects of each node by kind. */
export function renderNodes(nodes: SeiNodeProps[], namespace = 'sei'): Manifest[] {
  // A plain App: Testing.app() makes a temp dir per call, and nothing here writes to disk.
  const app = new App();
  const chart = new Chart(app, 'test', { namespace });
  nodes.forEach((node, i) => new SeiNode(chart, `node-${i}`, node));
  return Testing.synth(chart) as Manifest[];
}

export function renderNode(props: SeiNodeProps, namespace = 'sei') {
  const objects = renderNodes([props], namespace);
  const byKind = (kind: string) => {
    const found = objects.filter((o) => o.kind === kind);
    if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
    return found[0];
  };
  return {
    objects,
    seiNode: byKind('SeiNode'),
    // The headless Service (a p2pService adds a second, `<name>-p2p`).
    service: objects.find((o) => o.kind === 'Service' && o.metadata.name === props.name)!,
    claim: byKind('PersistentVolumeClaim'),
    statefulSet: byKind('StatefulSet'),
    configMaps: objects.filter((o) => o.kind === 'ConfigMap'),
  };
}

/** A digest-pinned image (the digest is made up: nothing here pulls it). */
export const IMAGE = `ghcr.io/sei-protocol/sei:v6.1.0@sha256:${'ab'.repeat(32)}`;

/** A minimal valid node (syncing from genesis, so no RPC server is involved); tests spread over it. */
export const baseProps = (over: Partial<SeiNodeProps> = {}): SeiNodeProps =>
  ({ name: 'rpc-0', chainId: 'pacific-1', image: IMAGE, fullNode: {}, bootstrap: { none: {} }, ...over }) as SeiNodeProps;

/** Two state-sync RPC servers (never dialled by unit tests). */
export const RPC_SERVERS = ['https://rpc-a.example', 'https://rpc-b.example'];

/** A peer's node ID, as `seid tendermint show-node-id` prints one: persistent peers need it. */
export const PEER_ID = '0123456789abcdef0123456789abcdef01234567';
