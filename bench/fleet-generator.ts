/** The generated fleet every synth benchmark uses: 250 nodes per namespace, the four modes in turn, every 7th paused. */
import { createHash } from 'node:crypto';
import type { FleetSpec } from '../src/fleet.js';

const MODES = ['fullNode', 'archive', 'validator', 'seed'] as const;

/** A made-up but well-formed node ID (40 hex) per generated node, so each one's peer is valid. */
const nodeId = (ns: number, i: number) => createHash('sha1').update(`node-${ns}-${i}`).digest('hex');

export function generatedFleet(count: number): FleetSpec[] {
  const perNamespace = 250;
  return Array.from({ length: Math.ceil(count / perNamespace) }, (_, ns) => ({
    namespace: `sei-bench-${ns}`,
    nodes: Array.from({ length: Math.min(perNamespace, count - ns * perNamespace) }, (_, i) => {
      const mode = MODES[i % MODES.length];
      return {
        name: `node-${ns}-${i}`,
        chainId: 'pacific-1',
        image: 'ghcr.io/sei-protocol/sei:v6.1.0',
        allowImageTag: true,
        [mode]: {},
        bootstrap: { none: {} },
        paused: i % 7 === 0,
        peers: [`${nodeId(ns, (i + 1) % perNamespace)}@node-${ns}-${(i + 1) % perNamespace}.sei-bench-${ns}.svc:26656`],
        overrides: { 'p2p.max-connections': String(200 + (i % 5)) },
      };
    }),
  }));
}

