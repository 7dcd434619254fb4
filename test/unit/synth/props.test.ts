import { describe, expect, it } from '@jest/globals';
import { App, Chart } from 'cdk8s';
import { SeiNode, type SeiNodeProps } from '../../../src/constructs/seinode.js';
import { PEER_ID as ID, RPC_SERVERS, baseProps, renderNodes } from './render.js';

/**
 * Bad props fail the synth with an error that names the node and the field. Each row: what is wrong, the props,
 * the field the message must name, and a fragment of the explanation.
 */
const BAD: [string, Partial<SeiNodeProps> & Record<string, unknown>, string, string][] = [
  ['empty name', { name: '' }, 'name', 'is required'],
  ['upper-case name', { name: 'RPC-0' }, 'name', 'not a DNS-1035 label'],
  ['name starting with a digit', { name: '0rpc' }, 'name', 'not a DNS-1035 label'],
  ['name too long for the pod revision label', { name: 'n'.repeat(53) }, 'name', 'at most 52'],
  ['invalid chainId', { chainId: 'Pacific_1' }, 'chainId', 'not a DNS label'],
  ['missing chainId', { chainId: undefined as unknown as string }, 'chainId', 'is required'],
  ['missing image', { image: '' }, 'image', 'is required'],
  ['image with whitespace', { image: 'sei:v1 latest' }, 'image', 'whitespace'],
  ['image by tag alone', { image: 'ghcr.io/sei-protocol/sei:v6.1.0' }, 'image', 'not pinned by digest'],
  ['image older than the chain minimum', { image: 'ghcr.io/sei-protocol/sei:v5.9.0', allowImageTag: true }, 'image', 'older than v6.1.0'],
  ['no bootstrap on a full node', { bootstrap: undefined }, 'bootstrap', 'is required for a fullNode'],
  ['two bootstraps', { bootstrap: { none: {}, snapshot: { url: 'https://s.example/a.tar' } } }, 'bootstrap', 'exactly one of stateSync, snapshot, none'],
  ['state sync with one RPC server', { bootstrap: { stateSync: { rpcServers: ['https://a.example'] } } }, 'bootstrap.stateSync.rpcServers', 'at least 2'],
  ['state sync server not a URL', { bootstrap: { stateSync: { rpcServers: ['https://a.example', 'b.example:26657'] } } }, 'bootstrap.stateSync.rpcServers[1]', 'not an http(s) URL'],
  ['state sync server listed twice', { bootstrap: { stateSync: { rpcServers: ['https://a.example', 'https://a.example'] } } }, 'bootstrap.stateSync.rpcServers[1]', 'listed twice'],
  ['trust period not a duration', { bootstrap: { stateSync: { rpcServers: RPC_SERVERS, trustPeriod: '7 days' } } }, 'bootstrap.stateSync.trustPeriod', 'not a Go duration'],
  ['trust height offset 0', { bootstrap: { stateSync: { rpcServers: RPC_SERVERS, trustHeightOffset: 0 } } }, 'bootstrap.stateSync.trustHeightOffset', 'above 0'],
  ['state sync for an archive', { fullNode: undefined, archive: {}, bootstrap: { stateSync: { rpcServers: RPC_SERVERS } } }, 'bootstrap.stateSync', 'use bootstrap.snapshot'],
  ['snapshot in a format busybox cannot unpack', { bootstrap: { snapshot: { url: 'https://s.example/a.tar.lz4' } } }, 'bootstrap.snapshot.url', 'not a .tar or .tar.gz'],
  ['snapshot sha256 not hex', { bootstrap: { snapshot: { url: 'https://s.example/a.tar', sha256: 'abc' } } }, 'bootstrap.snapshot.sha256', 'not a SHA-256'],
  ['unknown chain without genesis', { chainId: 'my-devnet-1' }, 'genesis', 'is required for chain "my-devnet-1"'],
  ['genesis for a vendored chain', { genesis: { url: 'https://g.example/genesis.json', sha256: 'ab'.repeat(32) } }, 'genesis', 'is vendored'],
  ['genesis sha256 not hex', { chainId: 'my-devnet-1', genesis: { url: 'https://g.example/genesis.json', sha256: 'x' } }, 'genesis.sha256', 'not a SHA-256'],
  ['bootstrap peer without node ID', { bootstrapPeers: ['seed.example:26656'] }, 'bootstrapPeers[0]', 'not <40-hex node id>@host:port'],
  ['external address without port', { externalAddress: 'rpc-0.example' }, 'externalAddress', 'not host:port'],
  ['nodeId without a node key Secret', { nodeId: ID }, 'nodeId', 'needs a node key Secret'],
  ['nodeKeySecret on a validator', { fullNode: undefined, validator: {}, nodeKeySecret: 'k' }, 'nodeKeySecret', 'validator.nodeKeySecret'],
  ['maxLagBlocks negative', { maxLagBlocks: -1 }, 'maxLagBlocks', 'not a whole number'],
  ['maxLagBlocks on a seed', { fullNode: undefined, seed: {}, bootstrap: undefined, maxLagBlocks: 10 }, 'maxLagBlocks', 'serves no RPC'],
  ['lookup peer without port', { lookupPeers: ['sentry-0.sei.svc'] }, 'lookupPeers[0]', "not the host:port of a peer's RPC"],
  ['p2p Service of another type', { p2pService: { type: 'ClusterIP' as never } }, 'p2pService.type', 'not one of LoadBalancer, NodePort'],
  ['p2p Service node port out of range', { p2pService: { type: 'NodePort', nodePort: 70000 } }, 'p2pService.nodePort', 'not a port number'],
  ['private peer ID not hex', { privatePeerIds: ['sentry-0'] }, 'privatePeerIds[0]', 'not a 40-hex node ID'],
  ['no mode', { fullNode: undefined }, 'fullNode|archive|validator|seed', 'got none'],
  ['two modes', { archive: {} }, 'fullNode+archive', 'exactly one'],
  [
    'signing key without node key',
    { fullNode: undefined, validator: { signingKeySecret: 'sign' } },
    'validator.nodeKeySecret',
    'must be set together',
  ],
  [
    'node key without signing key',
    { fullNode: undefined, validator: { nodeKeySecret: 'node' } },
    'validator.signingKeySecret',
    'must be set together',
  ],
  [
    'invalid key Secret name',
    { fullNode: undefined, validator: { signingKeySecret: 'Bad_Name', nodeKeySecret: 'node' } },
    'validator.signingKeySecret',
    'not a valid Secret name',
  ],
  ['storage size not a quantity', { storage: { size: '2TB' } }, 'storage.size', 'not a quantity'],
  ['zero storage size', { storage: { size: '0' } }, 'storage.size', 'must be positive'],
  ['invalid storageClassName', { storage: { storageClassName: 'Fast NVMe' } }, 'storage.storageClassName', 'not a valid'],
  ['cpu request not a quantity', { resources: { requests: { cpu: 'eight' } } }, 'resources.requests.cpu', 'not a quantity'],
  ['unsupported resource', { resources: { limits: { gpu: '1' } as never } }, 'resources.limits.gpu', 'only cpu and memory'],
  ['memory request above limit', { resources: { requests: { memory: '128Gi' }, limits: { memory: '64Gi' } } }, 'resources.requests.memory', '128Gi exceeds limits.memory 64Gi'],
  ['peer without port', { peers: [`${ID}@sentry-0`] }, 'peers[0]', 'not <40-hex node id>@host:port'],
  ['peer without node ID (seid refuses it)', { peers: ['sentry-0.sei.svc:26656'] }, 'peers[0]', 'not <40-hex node id>@host:port'],
  ['peer port out of range', { peers: [`${ID}@a:26656`, `${ID}@b:70000`] }, 'peers[1]', 'above 65535'],
  ['peer listed twice', { peers: [`${ID}@a:26656`, `${ID}@a:26656`] }, 'peers[1]', 'listed twice'],
  ['override key not dotted TOML', { overrides: { 'P2P PEX': 'false' } }, 'overrides["P2P PEX"]', 'dotted TOML key'],
  ['override of a key the construct owns', { overrides: { 'rpc.laddr': 'tcp://127.0.0.1:1' } }, 'overrides["rpc.laddr"]', 'set by the construct'],
  ['override of the trust height (state sync looks it up)', { overrides: { 'statesync.trust-height': '1' } }, 'overrides["statesync.trust-height"]', 'set by the construct'],
  ['override of a key seid v6.1.0 does not have', { overrides: { 'p2p.seeds': 'x' } }, 'overrides["p2p.seeds"]', 'not a key of seid v6.1.0'],
  ['override of a key not in config.toml (env cannot bind it)', { overrides: { 'rpc.lag-threshold': '50' } }, 'overrides["rpc.lag-threshold"]', 'not a key of seid v6.1.0'],
  ['override naming a whole section', { overrides: { p2p: 'x' } }, 'overrides["p2p"]', 'whole [p2p] section'],
  ['two overrides, one variable', { overrides: { 'p2p.send-rate': '1', 'p2p.send_rate': '2' } }, 'overrides["p2p.send_rate"]', 'not a key of seid'],
  ['non-string override value', { overrides: { 'p2p.pex': false as unknown as string } }, 'overrides["p2p.pex"]', 'must be a string'],
  ['reserved pod label', { podLabels: { 'sei.io/node': 'other' } }, 'podLabels["sei.io/node"]', 'belong to the construct'],
  ['invalid pod label value', { podLabels: { team: 'a b' } }, 'podLabels["team"]', 'not a valid label value'],
  ['paused not a boolean', { paused: 'yes' as unknown as boolean }, 'paused', 'must be a boolean'],
  ['unknown update strategy', { updateStrategy: 'Recreate' as never }, 'updateStrategy', 'not one of'],
];

describe('bad SeiNode props fail the synth, naming the node and the field', () => {
  it.each(BAD)('%s', (_, over, field, why) => {
    const props = baseProps(over as Partial<SeiNodeProps>);
    const nodeRef = `SeiNode sei/${props.name || '<no name>'}`;
    let message = '';
    try {
      renderNodes([props]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(nodeRef);
    expect(message).toContain(`- ${field}`);
    expect(message).toContain(why);
  });

  it('reports every problem of a node at once', () => {
    expect(() => renderNodes([baseProps({ name: 'X', chainId: '', image: '' })])).toThrow(
      /- name: .*\n {2}- chainId: is required\n {2}- image: is required/,
    );
  });

  it('refuses a second node of the same name in one namespace', () => {
    expect(() => renderNodes([baseProps(), baseProps({ archive: {}, fullNode: undefined })])).toThrow(
      'SeiNode sei/rpc-0: invalid props:\n  - name: another SeiNode named "rpc-0" already exists in namespace "sei"',
    );
  });

  it('allows the same name in two namespaces', () => {
    const app = new App();
    new SeiNode(new Chart(app, 'a', { namespace: 'a' }), 'rpc-0', baseProps());
    expect(() => new SeiNode(new Chart(app, 'b', { namespace: 'b' }), 'rpc-0', baseProps())).not.toThrow();
  });

  it('requires a namespace from the prop or the chart', () => {
    const app = new App();
    expect(() => new SeiNode(new Chart(app, 'c'), 'rpc-0', baseProps())).toThrow(
      "SeiNode <no namespace>/rpc-0: invalid props:\n  - namespace: is required: set the prop or the enclosing Chart's namespace",
    );
  });

  it('accepts the boundary cases it must', () => {
    expect(() =>
      renderNodes([
        baseProps({
          name: 'n'.repeat(52),
          peers: [`${ID}@sentry-0.sei.svc:26656`, `${ID}@10.0.0.1:65535`],
          overrides: { 'evm.http_port': '8545', 'p2p.max-connections': '400' },
          podLabels: { 'example.com/team': 'validators' },
          resources: { requests: { memory: '64Gi' }, limits: { memory: '64Gi', cpu: '32' } },
        }),
      ]),
    ).not.toThrow();
  });
});

export const BAD_INPUT_CASES = BAD.length;
