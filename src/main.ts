/**
 * The fleet: edit this file, run `npm run synth`, commit `dist/`. Argo CD or Flux applies what is committed.
 *
 * The example is a node set for atlantic-2, Sei's testnet (README: "Run a node on atlantic-2"). Where each value
 * comes from is said beside it; what only a running chain can prove is listed in the README.
 */
import { buildApp, type FleetSpec } from './fleet.js';

// cdk8s stops sorting manifest keys when this is set; dist/ must not depend on the environment.
delete process.env.CDK8S_DISABLE_SORT;

/**
 * The seid image. v6.1.0 is the release whose config templates src/lib/seid-config-keys.ts was generated from.
 * Pin it by digest for real use (`crane digest ghcr.io/sei-protocol/sei:v6.1.0`, then `…/sei:v6.1.0@sha256:…` and
 * drop allowImageTag): this machine has no registry access to look the digest up. atlantic-2 may have upgraded past
 * v6.1.0 since; a node needs the chain's current binary, which only the chain can tell.
 */
const SEID_IMAGE = 'ghcr.io/sei-protocol/sei:v6.1.0';

/**
 * State-sync RPC servers for atlantic-2. The first is the one Sei's operator config names for the chain (sei-config
 * 3fd5c81 `chains.go`); the second is the RPC endpoint Sei's earlier docs published for atlantic-2 — not verified
 * from here (no network). Two independent providers are what make the init step's agreement check worth having.
 */
const ATLANTIC_2_RPC = ['https://rpc-testnet.sei-apis.com', 'https://rpc.atlantic-2.seinetwork.io'];

const stateSync = { stateSync: { rpcServers: ATLANTIC_2_RPC } };

const FLEET: FleetSpec[] = [
  {
    namespace: 'sei-atlantic-2',
    nodes: [
      {
        // Behind its sentry: peers only with sentry-0 (pex off), RPC/REST/EVM off and kept off its Service.
        name: 'validator-0',
        chainId: 'atlantic-2',
        image: SEID_IMAGE,
        allowImageTag: true,
        validator: { signingKeySecret: 'validator-0-signing-key', nodeKeySecret: 'validator-0-node-key' },
        nodeId: 'b4c9e3c7a0f1d2e3f4a5b6c7d8e9f0a1b2c3d4e5',
        bootstrap: stateSync,
        peerNodes: ['sentry-0'],
      },
      {
        // The validator's gate to the network: keeps the validator's address private and always accepts it.
        name: 'sentry-0',
        chainId: 'atlantic-2',
        image: SEID_IMAGE,
        allowImageTag: true,
        fullNode: {},
        nodeKeySecret: 'sentry-0-node-key',
        nodeId: '5a1d5e4c8b3f2a9e7d6c0b1a2f3e4d5c6b7a8f90',
        bootstrap: stateSync,
        peerNodes: ['validator-0'],
        // Reachable from the internet; put the address the cloud gives it into externalAddress.
        p2pService: { type: 'LoadBalancer' },
        overrides: { 'p2p.max-connections': '400' },
        podLabels: { team: 'validators' },
      },
      {
        // Serves RPC, REST, gRPC and EVM to the cluster.
        name: 'rpc-0',
        chainId: 'atlantic-2',
        image: SEID_IMAGE,
        allowImageTag: true,
        fullNode: {},
        bootstrap: stateSync,
        peerNodes: ['sentry-0'],
      },
      {
        // History needs a snapshot (state sync brings none). Paused until an archive snapshot URL is filled in.
        name: 'archive-0',
        chainId: 'atlantic-2',
        image: SEID_IMAGE,
        allowImageTag: true,
        archive: {},
        bootstrap: { snapshot: { url: 'https://snapshots.example.invalid/atlantic-2/archive.tar.gz' } },
        storage: { size: '20Ti', storageClassName: 'fast-nvme' },
        paused: true,
      },
      {
        // An address book for the fleet and for strangers: public p2p, no RPC.
        name: 'seed-0',
        chainId: 'atlantic-2',
        image: SEID_IMAGE,
        allowImageTag: true,
        seed: {},
        p2pService: { type: 'LoadBalancer' },
      },
    ],
  },
];

/**
 * The reconciler, deployed beside Argo CD / Flux (build the image with the repository's Dockerfile, push it, pin it
 * by digest here). Its own namespace: its Lease and its identity stay apart from the chain data.
 */
const RECONCILER = { namespace: 'sei-system', image: 'ghcr.io/sei-protocol/seinode-reconciler:0.1.0' };

buildApp(FLEET, undefined, { reconciler: RECONCILER }).synth();
