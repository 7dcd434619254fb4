/** Container ports of seid, by name. Names are what the Service and the probe refer to. */
export const SEID_PORTS = [
    { name: 'evm-rpc', containerPort: 8545 },
    { name: 'evm-ws', containerPort: 8546 },
    { name: 'grpc', containerPort: 9090 },
    { name: 'rest', containerPort: 1317 },
    { name: 'p2p', containerPort: 26656 },
    { name: 'rpc', containerPort: 26657 },
    { name: 'metrics', containerPort: 26660 },
];
/** Where the data PVC is mounted; seid runs with `--home` here. */
export const SEID_HOME = '/sei';
/** uid/gid/fsGroup of the seid process: the conventional "nonroot" id of distroless images. */
export const NONROOT_ID = 65532;
/**
 * Per-mode defaults sized for a real Sei node (Sei's published guidance: validators and archives want many cores,
 * tens of GiB of memory and fast disks; a seed node keeps only the address book). Every value is overridable
 * through the `resources` and `storage` props.
 */
export const MODE_DEFAULTS = {
    fullNode: {
        role: 'full-node',
        seidMode: 'full',
        settings: {},
        storage: '2Ti',
        requests: { cpu: '8', memory: '32Gi' },
        limits: { memory: '64Gi' },
    },
    archive: {
        role: 'archive',
        seidMode: 'full',
        // Sei keeps history in SeiDB's state store, which prunes to its last 100,000 versions by default: an archive
        // keeps them all (ss-keep-recent 0). `pruning` is the IAVL setting, for images that run without SeiDB.
        settings: { pruning: 'nothing', 'state-store.ss-enable': 'true', 'state-store.ss-keep-recent': '0' },
        storage: '16Ti',
        requests: { cpu: '16', memory: '64Gi' },
        limits: { memory: '128Gi' },
    },
    validator: {
        role: 'validator',
        seidMode: 'validator',
        settings: {},
        storage: '2Ti',
        requests: { cpu: '16', memory: '64Gi' },
        limits: { memory: '96Gi' },
    },
    seed: {
        role: 'seed',
        seidMode: 'seed',
        settings: {},
        storage: '50Gi',
        requests: { cpu: '1', memory: '4Gi' },
        limits: { memory: '8Gi' },
    },
};
/**
 * Settings every node gets. `rpc.laddr` listens on all interfaces because the readiness probe and the Service reach
 * RPC on the pod IP (seid's default is 127.0.0.1); Prometheus metrics feed the `metrics` port.
 */
export const BASE_SETTINGS = {
    'instrumentation.prometheus': 'true',
    'rpc.laddr': `tcp://0.0.0.0:26657`,
};
/** Keys that `overrides` may not set: the construct derives them (mode, peers) or depends on them (probe → rpc.laddr). */
export const OWNED_SETTINGS = ['mode', 'rpc.laddr', 'p2p.persistent-peers'];
/** Resources of the init container, which only runs `seid init` once. */
export const INIT_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } };
