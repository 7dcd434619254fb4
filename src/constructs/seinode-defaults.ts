import type { SeiNodeMode } from './seinode-crd.js';

/** Container ports of seid, by name. Names are what the Service and the probe refer to. */
export const SEID_PORTS = [
  { name: 'evm-rpc', containerPort: 8545 },
  { name: 'evm-ws', containerPort: 8546 },
  { name: 'grpc', containerPort: 9090 },
  { name: 'rest', containerPort: 1317 },
  { name: 'p2p', containerPort: 26656 },
  { name: 'rpc', containerPort: 26657 },
  { name: 'metrics', containerPort: 26660 },
] as const;

/** Where the data PVC is mounted; seid runs with `--home` here. */
export const SEID_HOME = '/sei';

/** uid/gid/fsGroup of the seid process: the conventional "nonroot" id of distroless images. */
export const NONROOT_ID = 65532;

export interface ModeDefaults {
  /** `sei.io/role` and `app.kubernetes.io/component`. */
  readonly role: string;
  /** config.toml `mode` (Sei's Tendermint fork): full, validator or seed. */
  readonly seidMode: 'full' | 'validator' | 'seed';
  /** The mode's seid settings (dotted keys of the v6.1.0 templates; a unit test checks each one binds). */
  readonly settings: Readonly<Record<string, string>>;
  readonly storage: string;
  /**
   * CPU request (no CPU limit on purpose: CFS throttling a validator makes it miss blocks) and memory, used as both
   * request and limit (memory-Guaranteed, as the Sei operator does: a Go heap that can grow past its request is
   * OOM-killed at the worst moment instead).
   */
  readonly cpu: string;
  readonly memory: string;
  /** Service ports: which of SEID_PORTS the node's Service publishes. */
  readonly servicePorts: readonly SeidPortName[];
}

export type SeidPortName = (typeof SEID_PORTS)[number]['name'];

/**
 * A full node as the Sei operator's config library sets one (sei-config 3fd5c81 `defaults.go`,
 * `applyFullOverrides`), restricted to keys seid v6.1.0's templates have (its receipt-store settings are not).
 */
const FULL_NODE_SETTINGS: Readonly<Record<string, string>> = {
  'api.enable': 'true',
  'concurrency-workers': '500',
  'evm.http_enabled': 'true',
  'evm.ws_enabled': 'true',
  'grpc-web.enable': 'true',
  'grpc.enable': 'true',
  'min-retain-blocks': '100000',
  pruning: 'custom',
  'pruning-interval': '10',
  'pruning-keep-every': '500',
  'pruning-keep-recent': '86400',
  'state-commit.sc-async-commit-buffer': '100',
  'state-store.ss-enable': 'true',
  'state-store.ss-keep-recent': '100000',
  'tx-index.indexer': 'kv',
};

/**
 * Per-mode defaults. Settings follow sei-config 3fd5c81 `defaults.go` (`apply*Overrides`); sizes follow
 * sei-k8s-controller 2d670ad `internal/noderesource/noderesource.go` (memory request = limit, CPU request only).
 * Every value is overridable through `overrides`, `resources` and `storage`.
 */
export const MODE_DEFAULTS: Readonly<Record<SeiNodeMode, ModeDefaults>> = {
  fullNode: {
    role: 'full-node',
    seidMode: 'full',
    settings: FULL_NODE_SETTINGS,
    storage: '2Ti',
    cpu: '32',
    memory: '256Gi',
    servicePorts: SEID_PORTS.map((p) => p.name),
  },
  archive: {
    role: 'archive',
    seidMode: 'full',
    // applyArchiveOverrides: keep every version in SeiDB's state store and every block; unlimited trace lookback.
    settings: {
      ...FULL_NODE_SETTINGS,
      'evm.max_trace_lookback_blocks': '-1',
      'min-retain-blocks': '0',
      pruning: 'nothing',
      'state-commit.sc-keep-recent': '1',
      'state-store.ss-keep-recent': '0',
    },
    storage: '16Ti',
    cpu: '64',
    memory: '512Gi',
    servicePorts: SEID_PORTS.map((p) => p.name),
  },
  validator: {
    role: 'validator',
    seidMode: 'validator',
    // applyValidatorOverrides; plus pex off: a validator talks to its sentries only (its peers), never to strangers.
    settings: {
      'api.enable': 'false',
      'evm.http_enabled': 'false',
      'evm.ws_enabled': 'false',
      'grpc-web.enable': 'false',
      'p2p.allow-duplicate-ip': 'false',
      'p2p.pex': 'false',
      'state-store.ss-enable': 'false',
      'tx-index.indexer': 'null',
    },
    storage: '2Ti',
    cpu: '16',
    memory: '128Gi',
    // RPC, REST, gRPC and EVM stay off the Service (and a NetworkPolicy admits only p2p and metrics).
    servicePorts: ['p2p', 'metrics'],
  },
  seed: {
    role: 'seed',
    seidMode: 'seed',
    // applySeedOverrides.
    settings: {
      'api.enable': 'false',
      'evm.http_enabled': 'false',
      'evm.ws_enabled': 'false',
      'grpc-web.enable': 'false',
      'grpc.enable': 'false',
      'p2p.allow-duplicate-ip': 'true',
      'p2p.max-connections': '1000',
      pruning: 'everything',
      'state-store.ss-enable': 'false',
      'tx-index.indexer': 'null',
    },
    storage: '50Gi',
    cpu: '1',
    memory: '2Gi',
    // A seed serves no RPC: p2p for the address book, metrics for Prometheus.
    servicePorts: ['p2p', 'metrics'],
  },
};

/**
 * Settings every node gets. RPC and p2p listen on all interfaces (seid's RPC default is 127.0.0.1): kubelet probes
 * and peers reach the pod IP (sei-config sets the same for full nodes and validators). SeiDB's state commit is on
 * (sei-config's base; v6.1.0's template default is off, and its state store only works with it on). Prometheus
 * metrics feed the `metrics` port.
 */
export const BASE_SETTINGS: Readonly<Record<string, string>> = {
  'instrumentation.prometheus': 'true',
  'p2p.laddr': 'tcp://0.0.0.0:26656',
  'rpc.laddr': 'tcp://0.0.0.0:26657',
  'state-commit.sc-enable': 'true',
};

/** Keys that `overrides` may not set: the construct derives them (mode, peers, bootstrap) or depends on them. */
export const OWNED_SETTINGS: readonly string[] = [
  'mode',
  'rpc.laddr',
  'p2p.laddr',
  'p2p.persistent-peers',
  'p2p.bootstrap-peers',
  'p2p.external-address',
  'p2p.private-peer-ids',
  'p2p.unconditional-peer-ids',
  'statesync.enable',
  'statesync.rpc-servers',
  'statesync.trust-height',
  'statesync.trust-hash',
  'statesync.trust-period',
  'statesync.temp-dir',
];

/** Resources of the init container (seid init, a genesis, a state-sync lookup; a snapshot download streams to disk). */
export const INIT_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } } as const;

/**
 * Probe timing. The startup probe gives a node 24 h (8640 × 10 s) to open its databases, restore a snapshot or
 * state-sync and bind RPC (or p2p, for a seed) before the liveness probe may act; the liveness probe then only asks
 * whether the port still accepts connections, which a node that is catching up does.
 */
export const PROBE_TIMING = {
  startup: { periodSeconds: 10, failureThreshold: 8640, timeoutSeconds: 5 },
  readiness: { initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
  liveness: { periodSeconds: 30, failureThreshold: 10, timeoutSeconds: 10 },
} as const;
