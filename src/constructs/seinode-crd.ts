import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { API_GROUP, API_VERSION, MAX_DELETION_RECORDS, SEINODE_KIND, SEINODE_PLURAL } from '../contract.js';
import { crdGitOpsAnnotations } from '../lib/gitops.js';
import { projectLabels } from '../lib/labels.js';
import {
  CHAIN_ID_MAX,
  CHAIN_ID_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  LABEL_KEY_PATTERN,
  LABEL_VALUE_PATTERN,
  NODE_NAME_MAX,
  NODE_NAME_PATTERN,
  OVERRIDE_KEY_PATTERN,
  PEER_PATTERN,
  HTTP_URL_PATTERN,
  SHA256_PATTERN,
  DURATION_PATTERN,
  HOST_PORT_PATTERN,
  NODE_ID_PATTERN,
} from '../lib/names.js';
import { QUANTITY_PATTERN } from '../lib/quantity.js';
import { OWNED_SETTINGS } from './seinode-defaults.js';
import { APP_TOML_KEYS, CONFIG_TOML_KEYS } from '../lib/seid-config-keys.js';
import { START_FLAG_SETTINGS } from '../lib/seid-config.js';

/** Every key an override may name (before the construct's own are taken out), sorted. */
const SETTABLE_KEYS = [...new Set([...CONFIG_TOML_KEYS, ...APP_TOML_KEYS, ...START_FLAG_SETTINGS])].sort();

/** The mode sub-objects; exactly one is set (CEL one-of rule below). */
export const SEINODE_MODES = ['fullNode', 'archive', 'validator', 'seed'] as const;
export type SeiNodeMode = (typeof SEINODE_MODES)[number];

const quantity = { type: 'string', pattern: QUANTITY_PATTERN };
const resourceList = {
  type: 'object',
  properties: { cpu: quantity, memory: quantity },
};
/** A regular expression as a CEL raw string literal: CEL rejects `\.` escapes in plain string literals. */
const celRegex = (pattern: string) => `r'${pattern}'`;
const secretName = { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN_PATTERN };

/**
 * The OpenAPI v3 schema of a SeiNode — one literal, used by the CRD and by the tests that validate `dist/`.
 * Every field the construct renders is explicit here and rendered explicitly, so API-server defaulting has nothing
 * to add and a re-apply of `dist/` is a no-op.
 */
export const SEINODE_SCHEMA = {
  type: 'object',
  required: ['spec'],
  'x-kubernetes-validations': [
    {
      rule: `self.metadata.name.matches(${celRegex(NODE_NAME_PATTERN)}) && size(self.metadata.name) <= ${NODE_NAME_MAX}`,
      message: `metadata.name must be a DNS-1035 label of at most ${NODE_NAME_MAX} characters (it names the StatefulSet, its Service, its PVC and its pod's revision label)`,
    },
  ],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      description: 'Desired state of one Sei node. Mirrors the SeiNode construct props; synthesized by cdk8s, applied by Argo CD or Flux.',
      required: ['chainId', 'image'],
      'x-kubernetes-validations': [
        {
          rule: "[has(self.fullNode), has(self.archive), has(self.validator), has(self.seed)].filter(x, x).size() == 1",
          message: 'exactly one of spec.fullNode, spec.archive, spec.validator, spec.seed must be set',
        },
      ],
      properties: {
        chainId: {
          type: 'string',
          description: 'Chain ID, e.g. pacific-1 (mainnet), atlantic-2 (testnet).',
          minLength: 1,
          maxLength: CHAIN_ID_MAX,
          pattern: CHAIN_ID_PATTERN,
        },
        image: {
          type: 'string',
          description: 'The seid container image, ideally pinned by digest.',
          minLength: 1,
          pattern: '^[^\\s]+$',
        },
        allowImageTag: { type: 'boolean', description: 'Accept an image by tag alone (no digest).' },
        bootstrap: {
          type: 'object',
          description: 'How the node gets the chain state on first boot: exactly one of stateSync, snapshot, none.',
          'x-kubernetes-validations': [
            {
              rule: '[has(self.stateSync), has(self.snapshot), has(self.none)].filter(x, x).size() == 1',
              message: 'exactly one of spec.bootstrap.stateSync, spec.bootstrap.snapshot, spec.bootstrap.none must be set',
            },
          ],
          properties: {
            stateSync: {
              type: 'object',
              required: ['rpcServers', 'trustPeriod', 'trustHeightOffset'],
              'x-kubernetes-validations': [
                {
                  rule: 'size(self.rpcServers) >= 2',
                  message: 'spec.bootstrap.stateSync.rpcServers needs at least 2 RPC servers (a light-client primary and a witness)',
                },
              ],
              properties: {
                rpcServers: {
                  type: 'array',
                  maxItems: 20,
                  'x-kubernetes-list-type': 'set',
                  items: { type: 'string', maxLength: 2048, pattern: HTTP_URL_PATTERN },
                },
                trustPeriod: { type: 'string', maxLength: 64, pattern: DURATION_PATTERN },
                trustHeightOffset: { type: 'integer', format: 'int64', minimum: 1 },
              },
            },
            snapshot: {
              type: 'object',
              required: ['url'],
              properties: {
                url: { type: 'string', maxLength: 2048, pattern: HTTP_URL_PATTERN },
                sha256: { type: 'string', pattern: SHA256_PATTERN },
              },
            },
            none: { type: 'object', properties: {} },
          },
        },
        genesis: {
          type: 'object',
          description: 'The genesis of a chain whose genesis is not vendored: URL and SHA-256.',
          required: ['url', 'sha256'],
          properties: {
            url: { type: 'string', maxLength: 2048, pattern: HTTP_URL_PATTERN },
            sha256: { type: 'string', pattern: SHA256_PATTERN },
          },
        },
        lookupPeers: {
          type: 'array',
          description: 'Persistent peers by RPC host:port, their IDs read from /status at start, sorted.',
          maxItems: 200,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', maxLength: 300, pattern: HOST_PORT_PATTERN },
        },
        bootstrapPeers: {
          type: 'array',
          description: 'p2p.bootstrap-peers (seeds), <node id>@host:port, sorted.',
          maxItems: 200,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', maxLength: 300, pattern: PEER_PATTERN },
        },
        nodeKeySecret: { ...secretName, description: 'Secret holding node_key.json (the p2p identity) of a non-validator.' },
        nodeId: { type: 'string', description: 'ID of the key in the node key Secret.', pattern: NODE_ID_PATTERN },
        privatePeerIds: {
          type: 'array',
          description: 'p2p.private-peer-ids, sorted.',
          maxItems: 200,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', pattern: NODE_ID_PATTERN },
        },
        unconditionalPeerIds: {
          type: 'array',
          description: 'p2p.unconditional-peer-ids, sorted.',
          maxItems: 200,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', pattern: NODE_ID_PATTERN },
        },
        maxLagBlocks: { type: 'integer', format: 'int64', minimum: 0, description: 'rpc lag-threshold: blocks behind peers still Ready.' },
        p2pService: {
          type: 'object',
          description: 'A <name>-p2p Service publishing the p2p port outside the cluster.',
          required: ['type'],
          properties: {
            type: { type: 'string', enum: ['LoadBalancer', 'NodePort'] },
            nodePort: { type: 'integer', minimum: 1, maximum: 65535 },
            annotations: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string' } },
          },
        },
        externalAddress: { type: 'string', description: 'p2p.external-address, host:port.', maxLength: 300, pattern: HOST_PORT_PATTERN },
        fullNode: { type: 'object', description: 'Run as a full node (default pruning).', properties: {} },
        archive: { type: 'object', description: 'Run as an archive node (no pruning).', properties: {} },
        seed: { type: 'object', description: 'Run as a seed node (p2p address book only).', properties: {} },
        validator: {
          type: 'object',
          description: 'Run as a validator.',
          'x-kubernetes-validations': [
            {
              rule: 'has(self.signingKeySecret) == has(self.nodeKeySecret)',
              message: 'spec.validator.signingKeySecret and spec.validator.nodeKeySecret must be set together',
            },
          ],
          properties: {
            signingKeySecret: {
              ...secretName,
              description: 'Secret holding priv_validator_key.json (the consensus signing key).',
            },
            nodeKeySecret: { ...secretName, description: 'Secret holding node_key.json (the p2p identity).' },
          },
        },
        paused: {
          type: 'boolean',
          description: 'Pause the node: its StatefulSet renders replicas: 0. Data is kept.',
          default: false,
        },
        updateStrategy: {
          type: 'string',
          description: 'StatefulSet update strategy.',
          enum: ['RollingUpdate', 'OnDelete'],
          default: 'RollingUpdate',
        },
        peers: {
          type: 'array',
          description: 'Static persistent peers, <node id>@host:port, sorted.',
          maxItems: 200,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', maxLength: 300, pattern: PEER_PATTERN },
        },
        overrides: {
          type: 'object',
          description:
            'seid configuration overrides: dotted app.toml/config.toml keys to values, passed as SEID_* environment variables.',
          maxProperties: 200,
          'x-kubernetes-validations': [
            {
              rule: `self.all(k, k.matches(${celRegex(OVERRIDE_KEY_PATTERN)}))`,
              message: 'spec.overrides keys must be dotted TOML keys such as p2p.max-connections',
            },
            {
              // The same table the synth checks against, so a hand-written SeiNode is held to it too.
              rule: `self.all(k, k in [${SETTABLE_KEYS.map((k) => `'${k}'`).join(', ')}])`,
              message: "spec.overrides keys must be keys of seid v6.1.0's app.toml or config.toml templates (a whole section, or a key seid does not write, is ignored or blanks the section)",
            },
            {
              rule: OWNED_SETTINGS.map((k) => `!('${k}' in self)`).join(' && '),
              message: `spec.overrides must not set ${OWNED_SETTINGS.join(', ')}: the mode, spec.peers, spec.bootstrap and the probes own them`,
            },
          ],
          additionalProperties: { type: 'string', maxLength: 4096 },
        },
        podLabels: {
          type: 'object',
          description: 'Extra labels on the pod template (not on the selector).',
          maxProperties: 64,
          'x-kubernetes-validations': [
            {
              rule: `self.all(k, k.matches(${celRegex(LABEL_KEY_PATTERN)}) && size(k) <= 317)`,
              message: 'spec.podLabels keys must be valid label keys',
            },
            {
              rule: "self.all(k, !k.startsWith('sei.io/') && !k.startsWith('app.kubernetes.io/'))",
              message: 'spec.podLabels must not set sei.io/ or app.kubernetes.io/ labels: the construct owns them',
            },
          ],
          additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE_PATTERN },
        },
        storage: {
          type: 'object',
          description: 'The data volume (PVC data-<name>).',
          required: ['size'],
          properties: {
            size: {
              ...quantity,
              description: 'Requested size, e.g. 2Ti.',
              // The pattern is the API server's quantity syntax, which allows a sign and zero; a volume needs more.
              'x-kubernetes-validations': [{ rule: "!isQuantity(self) || quantity(self).isGreaterThan(quantity('0'))", message: 'spec.storage.size must be above 0' }],
            },
            storageClassName: { ...secretName, description: 'StorageClass; the cluster default when unset.' },
          },
        },
        resources: {
          type: 'object',
          description: 'Container resources of seid.',
          properties: { requests: resourceList, limits: resourceList },
        },
      },
    },
    status: {
      type: 'object',
      description: 'Written by seinode-reconciler only.',
      properties: {
        statefulSet: {
          type: 'object',
          description: 'The StatefulSet this node tracks, pinned by UID.',
          required: ['name', 'uid'],
          properties: { name: { type: 'string' }, uid: { type: 'string' } },
        },
        origin: {
          type: 'object',
          description:
            'Who created the StatefulSet that holds this node\'s name (the field managers owning its immutable spec fields), as first seen by the reconciler, kept while that UID holds the name.',
          required: ['uid', 'creators', 'firstSeen', 'witnessed'],
          properties: {
            uid: { type: 'string' },
            creators: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 128 } },
            firstSeen: { type: 'string', format: 'date-time' },
            witnessed: { type: 'boolean', description: 'The reconciler saw it being created (not found already existing).' },
          },
        },
        impostorDeletions: {
          type: 'array',
          description: 'Impostor StatefulSets deleted within the churn-breaker window, for the breakers (survives restarts).',
          maxItems: MAX_DELETION_RECORDS,
          items: {
            type: 'object',
            required: ['uid', 'time'],
            properties: { uid: { type: 'string' }, time: { type: 'string', format: 'date-time' } },
          },
        },
        observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
        conditions: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['type'],
          items: {
            type: 'object',
            required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
            properties: {
              type: { type: 'string', maxLength: 316, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$' },
              status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
              observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
              lastTransitionTime: { type: 'string', format: 'date-time' },
              reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
              message: { type: 'string', maxLength: 32768 },
            },
          },
        },
      },
    },
  },
} as const;

export const SEINODE_CRD_NAME = `${SEINODE_PLURAL}.${API_GROUP}`;

/**
 * The SeiNode CustomResourceDefinition. Argo CD applies it in an earlier sync wave than the SeiNodes; Flux applies
 * CRDs first on its own. It is prune-protected: deleting a CRD deletes every SeiNode with it.
 */
export class SeiNodeCrd extends Construct {
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: {
        name: SEINODE_CRD_NAME,
        labels: projectLabels('seinode-crd', 'crd'),
        annotations: crdGitOpsAnnotations(),
      },
      spec: {
        group: API_GROUP,
        scope: 'Namespaced',
        names: {
          kind: SEINODE_KIND,
          listKind: `${SEINODE_KIND}List`,
          plural: SEINODE_PLURAL,
          singular: SEINODE_KIND.toLowerCase(),
          shortNames: ['snode'],
          categories: ['sei'],
        },
        versions: [
          {
            name: API_VERSION,
            served: true,
            storage: true,
            subresources: { status: {} },
            additionalPrinterColumns: [
              { name: 'Chain', type: 'string', jsonPath: '.spec.chainId' },
              { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
              { name: 'StatefulSet', type: 'string', jsonPath: '.status.statefulSet.name' },
              { name: 'UID', type: 'string', jsonPath: '.status.statefulSet.uid', priority: 1 },
              { name: 'Tracked', type: 'string', jsonPath: '.status.conditions[?(@.type=="StatefulSetTracked")].status' },
              { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            ],
            schema: { openAPIV3Schema: SEINODE_SCHEMA },
          },
        ],
      },
    });
  }
}
