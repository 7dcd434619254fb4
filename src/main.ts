/**
 * The fleet: edit this file, run `npm run synth`, commit `dist/`. Argo CD or Flux applies what is committed.
 */
import { buildApp, type FleetSpec } from './fleet.js';

// cdk8s stops sorting manifest keys when this is set; dist/ must not depend on the environment.
delete process.env.CDK8S_DISABLE_SORT;

/** The seid image every node runs. Pin by digest in production so two synths can never mean two binaries. */
const SEID_IMAGE = 'ghcr.io/sei-protocol/sei:v6.1.0';

/**
 * sentry-0 as a persistent peer: `<node id>@host:port`. The ID is sentry-0's (from its node_key.json, which seid
 * init wrote on its volume: `kubectl exec sentry-0-0 -- seid tendermint show-node-id --home /sei`).
 */
const SENTRY_0 = '5a1d5e4c8b3f2a9e7d6c0b1a2f3e4d5c6b7a8f90@sentry-0.sei-pacific-1.svc.cluster.local:26656';

const FLEET: FleetSpec[] = [
  {
    namespace: 'sei-pacific-1',
    nodes: [
      {
        name: 'validator-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        validator: { signingKeySecret: 'validator-0-signing-key', nodeKeySecret: 'validator-0-node-key' },
        peers: [SENTRY_0],
        overrides: { 'p2p.pex': 'false' },
      },
      {
        name: 'sentry-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        fullNode: {},
        overrides: { 'p2p.max-connections': '400' },
        podLabels: { team: 'validators' },
      },
      {
        name: 'rpc-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        fullNode: {},
        peers: [SENTRY_0],
      },
      {
        name: 'archive-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        archive: {},
        storage: { size: '20Ti', storageClassName: 'fast-nvme' },
        // Paused: its disk is being resized; the PVC and the data stay.
        paused: true,
      },
      { name: 'seed-0', chainId: 'pacific-1', image: SEID_IMAGE, seed: {} },
    ],
  },
];

/**
 * The reconciler, deployed beside Argo CD / Flux (build the image with the repository's Dockerfile, push it, pin it
 * by digest here). Its own namespace: its Lease and its identity stay apart from the chain data.
 */
const RECONCILER = { namespace: 'sei-system', image: 'ghcr.io/sei-protocol/seinode-reconciler:0.1.0' };

buildApp(FLEET, undefined, { reconciler: RECONCILER }).synth();
