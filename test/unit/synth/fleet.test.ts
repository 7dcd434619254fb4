import { describe, expect, it } from '@jest/globals';
import { type FleetNode, resolvePeerNodes } from '../../../src/fleet.js';
import { IMAGE } from './render.js';

const V_ID = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const S_ID = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const base = { chainId: 'atlantic-2', image: IMAGE, bootstrap: { none: {} } };
const validator: FleetNode = { ...base, name: 'validator-0', validator: { signingKeySecret: 's', nodeKeySecret: 'n' }, nodeId: V_ID, peerNodes: ['sentry-0'] };
const sentry: FleetNode = { ...base, name: 'sentry-0', fullNode: {}, nodeKeySecret: 'k', nodeId: S_ID, peerNodes: ['validator-0'] };
const rpc: FleetNode = { ...base, name: 'rpc-0', fullNode: {}, peerNodes: ['sentry-0'], peers: [`${'c'.repeat(40)}@x.example:26656`] };

describe('peerNodes: peers by node name, resolved at synth', () => {
  it('resolve to <nodeId>@<name>.<namespace>.svc.cluster.local:26656 beside the literal peers', () => {
    const [, , r] = resolvePeerNodes({ namespace: 'ns', nodes: [validator, sentry, rpc] });
    expect(r.peers).toEqual([`${'c'.repeat(40)}@x.example:26656`, `${S_ID}@sentry-0.ns.svc.cluster.local:26656`]);
    expect(r.privatePeerIds).toBeUndefined();
    expect('peerNodes' in r).toBe(false);
  });

  it('a validator named as a peer is kept private and always let in (the sentry layout)', () => {
    const [v, s] = resolvePeerNodes({ namespace: 'ns', nodes: [validator, sentry] });
    expect(s.peers).toEqual([`${V_ID}@validator-0.ns.svc.cluster.local:26656`]);
    expect(s.privatePeerIds).toEqual([V_ID]);
    expect(s.unconditionalPeerIds).toEqual([V_ID]);
    expect(v.peers).toEqual([`${S_ID}@sentry-0.ns.svc.cluster.local:26656`]);
    expect(v.privatePeerIds).toBeUndefined();
  });

  it('a full node without nodeId is looked up at start: its RPC address goes into lookupPeers', () => {
    const [a] = resolvePeerNodes({ namespace: 'ns', nodes: [{ ...rpc, name: 'a', peerNodes: ['rpc-0'], peers: [] }, { ...rpc, peerNodes: [] }] });
    expect(a.peers).toEqual([]);
    expect(a.lookupPeers).toEqual(['rpc-0.ns.svc.cluster.local:26657']);
  });

  it.each<[string, FleetNode[], string]>([
    ['an unknown name', [{ ...rpc, peerNodes: ['nobody'] }], 'SeiNode ns/rpc-0: invalid props:\n  - peerNodes[0]: no node named "nobody" in fleet ns'],
    [
      'a validator without nodeId (no RPC on its Service to read it from)',
      [{ ...rpc, peerNodes: ['v'] }, { ...validator, name: 'v', nodeId: undefined, peerNodes: [] }],
      'SeiNode ns/rpc-0: invalid props:\n  - peerNodes[0]: v has no nodeId, and a validator publishes no RPC',
    ],
    ['itself', [{ ...sentry, peerNodes: ['sentry-0'] }], 'peerNodes[0]: a node cannot peer with itself'],
  ])('refuses %s, naming the node and the field', (_, nodes, message) => {
    expect(() => resolvePeerNodes({ namespace: 'ns', nodes })).toThrow(message);
  });
});
