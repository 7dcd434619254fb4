/**
 * The fleet: edit this file, run `npm run synth`, commit `dist/`. Argo CD or Flux applies what is committed.
 */
import { buildApp, type FleetSpec } from './fleet.js';

// cdk8s stops sorting manifest keys when this is set; dist/ must not depend on the environment.
delete process.env.CDK8S_DISABLE_SORT;

/** The seid image every node runs. Pin by digest in production so two synths can never mean two binaries. */
const SEID_IMAGE = 'ghcr.io/sei-protocol/sei:v6.1.0';

const FLEET: FleetSpec[] = [
  {
    namespace: 'sei-pacific-1',
    nodes: [
      {
        name: 'validator-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        validator: { signingKeySecret: 'validator-0-signing-key', nodeKeySecret: 'validator-0-node-key' },
        peers: ['sentry-0.sei-pacific-1.svc.cluster.local:26656'],
        overrides: { 'p2p.pex': 'false' },
      },
      {
        name: 'sentry-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        fullNode: {},
        overrides: { 'p2p.max-num-inbound-peers': '80', 'p2p.max-num-outbound-peers': '40' },
        podLabels: { team: 'validators' },
      },
      {
        name: 'rpc-0',
        chainId: 'pacific-1',
        image: SEID_IMAGE,
        fullNode: {},
        peers: ['sentry-0.sei-pacific-1.svc.cluster.local:26656'],
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

buildApp(FLEET).synth();
