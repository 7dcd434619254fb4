import { App, Chart, Testing } from 'cdk8s';
import { SeiNode } from '../../../src/constructs/seinode.js';
/** Synthesizes nodes in a fresh app and returns the rendered objects of each node by kind. */
export function renderNodes(nodes, namespace = 'sei') {
    // A plain App: Testing.app() makes a temp dir per call, and nothing here writes to disk.
    const app = new App();
    const chart = new Chart(app, 'test', { namespace });
    nodes.forEach((node, i) => new SeiNode(chart, `node-${i}`, node));
    return Testing.synth(chart);
}
export function renderNode(props, namespace = 'sei') {
    const objects = renderNodes([props], namespace);
    const byKind = (kind) => {
        const found = objects.filter((o) => o.kind === kind);
        if (found.length !== 1)
            throw new Error(`expected one ${kind}, got ${found.length}`);
        return found[0];
    };
    return {
        objects,
        seiNode: byKind('SeiNode'),
        service: byKind('Service'),
        claim: byKind('PersistentVolumeClaim'),
        statefulSet: byKind('StatefulSet'),
    };
}
export const IMAGE = 'ghcr.io/sei-protocol/sei:v6.1.0';
/** A minimal valid node; tests spread over it. */
export const baseProps = (over = {}) => ({ name: 'rpc-0', chainId: 'pacific-1', image: IMAGE, fullNode: {}, ...over });
/** A peer's node ID, as `seid tendermint show-node-id` prints one: persistent peers need it. */
export const PEER_ID = '0123456789abcdef0123456789abcdef01234567';
