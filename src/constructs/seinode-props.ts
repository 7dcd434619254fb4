import { SEINODE_MODES, type SeiNodeMode } from './seinode-crd.js';
import { OWNED_SETTINGS } from './seinode-defaults.js';
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
  RESERVED_LABEL_PREFIXES,
  HTTP_URL_PATTERN,
  SHA256_PATTERN,
  DURATION_PATTERN,
  HOST_PORT_PATTERN,
  IMAGE_DIGEST_PATTERN,
  NODE_ID_PATTERN,
} from '../lib/names.js';
import { KNOWN_CHAINS, parseVersion, versionBelow } from '../lib/chains.js';
import { settingProblem } from '../lib/seid-config.js';
import { isQuantity, quantityValue } from '../lib/quantity.js';
import { seidEnvName } from '../lib/seid-env.js';

/** Options of a full node. None yet: the mode itself is the choice. */
export type FullNodeOptions = Record<string, never>;
/** Options of an archive node (pruning `nothing`). None yet. */
export type ArchiveOptions = Record<string, never>;
/** Options of a seed node. None yet. */
export type SeedOptions = Record<string, never>;

/** State sync: seid restores a recent snapshot from peers, verified by a light client against the RPC servers. */
export interface StateSyncOptions {
  /**
   * Tendermint RPC servers (http(s) URLs), at least two: seid uses the first as the light client's primary and the
   * others as witnesses, and the init step looks up the trust height and hash on every one and refuses to start when
   * they disagree. Independent providers make that check mean something.
   */
  readonly rpcServers: readonly string[];
  /**
   * How long a trusted header stays trusted (`statesync.trust-period`, a Go duration); must be below the chain's
   * unbonding period.
   * @default '168h' (sei-config `defaults.go`)
   */
  readonly trustPeriod?: string;
  /**
   * Trust height = the lowest latest height among the servers minus this many blocks, looked up at first boot (a
   * committed height would go stale).
   * @default 2000 (one snapshot interval: sei-config's `DefaultSnapshotInterval`)
   */
  readonly trustHeightOffset?: number;
}

/** A snapshot archive restored into the node's home at first boot. */
export interface SnapshotOptions {
  /** http(s) URL of a `.tar` or `.tar.gz` whose top holds `data/` (busybox in the seid image has no lz4 or zstd). */
  readonly url: string;
  /**
   * SHA-256 of the archive; checked before it is unpacked.
   * @default not checked
   */
  readonly sha256?: string;
}

/** How a new node gets the chain's state on first boot; exactly one is set. */
export interface SeiNodeBootstrap {
  /** State sync from peers, trusted via RPC servers. @default unset */
  readonly stateSync?: StateSyncOptions;
  /** Restore a snapshot archive (the way for an archive node). @default unset */
  readonly snapshot?: SnapshotOptions;
  /** Sync from genesis: only for a new chain (Sei's public chains cannot be synced from genesis). @default unset */
  readonly none?: Record<string, never>;
}

/** A Service that lets nodes outside the cluster reach this node's p2p port. */
export interface P2pServiceOptions {
  /** `LoadBalancer` (a cloud load balancer per node) or `NodePort`. */
  readonly type: 'LoadBalancer' | 'NodePort';
  /**
   * The node port (30000–32767 on a default cluster), so the address can be put in `externalAddress` before the first
   * sync.
   * @default allocated by the cluster
   */
  readonly nodePort?: number;
  /**
   * Annotations of the Service, e.g. a cloud's load-balancer settings.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The genesis of a chain this project does not vendor. */
export interface SeiNodeGenesis {
  /** http(s) URL of the plain genesis.json, downloaded by the init step on a node's first boot. */
  readonly url: string;
  /** SHA-256 of the file; the init step refuses anything else. */
  readonly sha256: string;
}

/** Options of a validator. */
export interface ValidatorOptions {
  /**
   * Secret with key `priv_validator_key.json`, mounted read-only at `<home>/config/priv_validator_key.json`.
   * Set together with `nodeKeySecret`.
   * @default none: `seid init` generates a fresh key on first start (fine for a testnet, never for mainnet)
   */
  readonly signingKeySecret?: string;
  /**
   * Secret with key `node_key.json`, mounted read-only at `<home>/config/node_key.json`.
   * Set together with `signingKeySecret`.
   * @default none: `seid init` generates a fresh node key on first start
   */
  readonly nodeKeySecret?: string;
}

/** CPU and memory quantities, e.g. `{ cpu: '8', memory: '32Gi' }`. */
export interface ResourceQuantities {
  /** @default the mode's default */
  readonly cpu?: string;
  /** @default the mode's default */
  readonly memory?: string;
}

/** Container resources of seid; each quantity given here replaces the mode's default for that quantity only. */
export interface SeiNodeResources {
  /** @default the mode's requests (see MODE_DEFAULTS) */
  readonly requests?: ResourceQuantities;
  /** @default the mode's memory limit and no CPU limit (see MODE_DEFAULTS) */
  readonly limits?: ResourceQuantities;
}

/** The data volume, PVC `data-<name>`. */
export interface SeiNodeStorage {
  /** @default the mode's size (see MODE_DEFAULTS) */
  readonly size?: string;
  /** @default none: the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/**
 * Props of one Sei node. Exactly one of `fullNode`, `archive`, `validator`, `seed` is set.
 */
export interface SeiNodeProps {
  /**
   * The node's name. It names the SeiNode, the StatefulSet, the headless Service and the PVC `data-<name>`, and it is
   * the StatefulSet's only selector label: renaming a node means a new node. DNS-1035 label, at most 52 characters.
   */
  readonly name: string;
  /**
   * Namespace of every object of the node.
   * @default the enclosing Chart's namespace (one of the two must be set)
   */
  readonly namespace?: string;
  /** Chain ID, e.g. `pacific-1` (mainnet) or `atlantic-2` (testnet). */
  readonly chainId: string;
  /**
   * The seid image, pinned by digest (`repo[:tag]@sha256:…`) so two synths can never mean two binaries. A tag that
   * names a version (`:v6.1.0`) must not be older than the chain's minimum (src/lib/chains.ts).
   */
  readonly image: string;
  /**
   * Accept an image by tag alone (no digest), e.g. on a devnet.
   * @default false
   */
  readonly allowImageTag?: boolean;
  /**
   * How the node gets the chain's state on first boot. Required for every mode but `seed`: Sei's public chains
   * cannot be synced from genesis, so the choice is spelled out.
   * @default seed: `{ none: {} }`; other modes: none (required)
   */
  readonly bootstrap?: SeiNodeBootstrap;
  /**
   * The chain's genesis, for a chain whose genesis is not vendored (pacific-1, atlantic-2 and arctic-1 are: they
   * come from a ConfigMap per namespace and chain).
   * @default the vendored genesis of a known chain; required for any other chain
   */
  readonly genesis?: SeiNodeGenesis;
  /**
   * Persistent peers whose node ID is not known at synth, as the `host:port` of their Tendermint RPC (a full or archive
   * node's Service publishes it). On every start the init step reads each one's ID from its `/status` and adds
   * `<id>@host:26656` to `p2p.persistent-peers`, which it then keeps in config.toml instead of the environment. A peer
   * that does not answer is left out until the next start (so two nodes naming each other never wait on each other).
   * @default none
   */
  readonly lookupPeers?: readonly string[];
  /**
   * Seed nodes / bootstrap peers (`<node id>@host:port`), for the address book: `p2p.bootstrap-peers` (Sei's
   * Tendermint has no `seeds` key).
   * @default none
   */
  readonly bootstrapPeers?: readonly string[];
  /**
   * Secret with key `node_key.json`: the node's p2p identity, for any mode but `validator` (which has
   * `validator.nodeKeySecret`). Installed 0600 into `config/` by the init step on every start.
   * @default none: `seid init` generates a node key on first start, whose ID is known only after it
   */
  readonly nodeKeySecret?: string;
  /**
   * The node ID (40 hex) of the key in the node key Secret (`seid tendermint show-node-id`). Lets other nodes of the
   * fleet name this one in `peerNodes`; the init step refuses to start when the installed key has another ID.
   * @default unknown
   */
  readonly nodeId?: string;
  /** Node IDs whose addresses this node must not gossip (`p2p.private-peer-ids`): a sentry's validator. @default none */
  readonly privatePeerIds?: readonly string[];
  /** Node IDs this node always accepts, past `max-connections` (`p2p.unconditional-peer-ids`). @default none */
  readonly unconditionalPeerIds?: readonly string[];
  /**
   * How far behind its peers (in blocks) a node may be and still be Ready: `/lag_status` answers 417 beyond it. Kept in
   * config.toml's `[rpc] lag-threshold` by the init step (the key is not in v6.1.0's template, so no env var reaches
   * it). Not for seeds, which serve no RPC.
   * @default seid's own: 300 blocks (config.toml left alone)
   */
  readonly maxLagBlocks?: number;
  /**
   * A `<name>-p2p` Service of this type publishing only the p2p port, with `externalTrafficPolicy: Local` (peers see
   * the dialler's own address). Set `externalAddress` to the address it gets.
   * @default none: the node is reachable inside the cluster only
   */
  readonly p2pService?: P2pServiceOptions;
  /**
   * The `host:port` other nodes should dial (`p2p.external-address`), e.g. a LoadBalancer's address.
   * @default none: seid advertises its listen address (the pod IP)
   */
  readonly externalAddress?: string;
  /** Run as a full node. @default unset */
  readonly fullNode?: FullNodeOptions;
  /** Run as an archive node (no pruning). @default unset */
  readonly archive?: ArchiveOptions;
  /** Run as a validator. @default unset */
  readonly validator?: ValidatorOptions;
  /** Run as a seed node. @default unset */
  readonly seed?: SeedOptions;
  /**
   * Pause the node: the StatefulSet renders `replicas: 0`; the PVC and its data stay.
   * @default false
   */
  readonly paused?: boolean;
  /**
   * Static persistent peers, `<node id>@host:port`; the ID (40 hex) is required, since seid refuses to start on a
   * peer without one. Rendered sorted into `SEID_P2P_PERSISTENT_PEERS`.
   * @default no static peers
   */
  readonly peers?: readonly string[];
  /**
   * seid settings as dotted app.toml/config.toml keys (`p2p.max-connections: '400'`), rendered sorted as
   * `SEID_*` environment variables, which the Cosmos SDK config loader reads over the files. May not set
   * `mode`, `rpc.laddr` or `p2p.persistent-peers` (owned by the mode, the probe and `peers`).
   * @default no overrides
   */
  readonly overrides?: Readonly<Record<string, string>>;
  /**
   * Extra labels on the pod template. Not on the selector, so they can change freely. `sei.io/` and
   * `app.kubernetes.io/` keys are the construct's own and are refused.
   * @default no extra labels
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** The data volume. @default the mode's size, the cluster's default StorageClass */
  readonly storage?: SeiNodeStorage;
  /** seid's resources. @default the mode's requests and memory limit (MODE_DEFAULTS) */
  readonly resources?: SeiNodeResources;
  /**
   * How a changed pod template reaches the pod.
   *
   * The StatefulSet always uses `podManagementPolicy: Parallel` (immutable, so fixed here): with the default
   * `OrderedReady`, the controller stops at an unready pod, and a node of a halted chain is unready — so the very
   * upgrade that would restart the chain never rolls out. With `Parallel` + `RollingUpdate` an unready pod is still
   * replaced, and with one replica there is never more than one pod (no double signing).
   * `OnDelete` leaves the running pod alone until someone deletes it: for operators who time upgrades by hand.
   * @default 'RollingUpdate'
   */
  readonly updateStrategy?: 'RollingUpdate' | 'OnDelete';
}

/** The mode a props object chose. Call only on props that passed `propErrors`. */
export function modeOf(props: SeiNodeProps): SeiNodeMode {
  return SEINODE_MODES.find((m) => props[m] !== undefined)!;
}

const re = (pattern: string) => new RegExp(pattern);
const NODE_NAME = re(NODE_NAME_PATTERN);
const CHAIN_ID = re(CHAIN_ID_PATTERN);
const DNS_SUBDOMAIN = re(DNS_SUBDOMAIN_PATTERN);
const PEER = re(PEER_PATTERN);
const OVERRIDE_KEY = re(OVERRIDE_KEY_PATTERN);
const LABEL_KEY = re(LABEL_KEY_PATTERN);
const LABEL_VALUE = re(LABEL_VALUE_PATTERN);
const UPDATE_STRATEGIES = ['RollingUpdate', 'OnDelete'];
const HTTP_URL = re(HTTP_URL_PATTERN);
const SHA256 = re(SHA256_PATTERN);
const DURATION = re(DURATION_PATTERN);
const HOST_PORT = re(HOST_PORT_PATTERN);
const IMAGE_DIGEST = re(IMAGE_DIGEST_PATTERN);
const NODE_ID = re(NODE_ID_PATTERN);

/** The bootstrap a props object chose (seeds default to none). Call only on props that passed `propErrors`. */
export function bootstrapOf(props: SeiNodeProps): 'stateSync' | 'snapshot' | 'none' {
  const b = props.bootstrap ?? { none: {} };
  return b.stateSync ? 'stateSync' : b.snapshot ? 'snapshot' : 'none';
}

function bootstrapErrors(props: SeiNodeProps): string[] {
  const errors: string[] = [];
  const bad = (field: string, why: string) => errors.push(`${field}: ${why}`);
  const b = props.bootstrap;
  const mode = SEINODE_MODES.find((m) => props[m] !== undefined);
  if (b === undefined) {
    if (mode !== undefined && mode !== 'seed')
      bad('bootstrap', `is required for a ${mode}: set stateSync or snapshot (Sei's public chains cannot be synced from genesis), or none for a new chain`);
    return errors;
  }
  const kinds = (['stateSync', 'snapshot', 'none'] as const).filter((k) => b[k] !== undefined);
  if (kinds.length !== 1) {
    bad('bootstrap', `exactly one of stateSync, snapshot, none must be set, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`);
    return errors;
  }
  if (b.stateSync) {
    const s = b.stateSync;
    if (mode === 'archive')
      bad('bootstrap.stateSync', 'an archive keeps the whole history, which state sync does not bring: use bootstrap.snapshot (or none)');
    if (mode === 'seed') bad('bootstrap.stateSync', 'a seed keeps no chain state: leave bootstrap unset');
    const servers = Array.isArray(s.rpcServers) ? s.rpcServers : [];
    if (servers.length < 2)
      bad('bootstrap.stateSync.rpcServers', `needs at least 2 RPC servers (a light-client primary and a witness), got ${servers.length}`);
    servers.forEach((url, i) => {
      if (typeof url !== 'string' || !HTTP_URL.test(url))
        bad(`bootstrap.stateSync.rpcServers[${i}]`, `${q(url)} is not an http(s) URL without commas`);
      if (servers.indexOf(url) !== i) bad(`bootstrap.stateSync.rpcServers[${i}]`, `${q(url)} is listed twice`);
    });
    if (s.trustPeriod !== undefined && (typeof s.trustPeriod !== 'string' || !DURATION.test(s.trustPeriod)))
      bad('bootstrap.stateSync.trustPeriod', `${q(s.trustPeriod)} is not a Go duration such as 168h`);
    if (s.trustHeightOffset !== undefined && (!Number.isInteger(s.trustHeightOffset) || s.trustHeightOffset < 1))
      bad('bootstrap.stateSync.trustHeightOffset', `${q(s.trustHeightOffset)} is not a whole number of blocks above 0`);
  }
  if (b.snapshot) {
    if (mode === 'seed') bad('bootstrap.snapshot', 'a seed keeps no chain state: leave bootstrap unset');
    const { url, sha256 } = b.snapshot;
    if (typeof url !== 'string' || !HTTP_URL.test(url)) bad('bootstrap.snapshot.url', `${q(url)} is not an http(s) URL`);
    else if (!/\.(tar|tar\.gz|tgz)$/.test(url))
      bad('bootstrap.snapshot.url', `${q(url)} is not a .tar or .tar.gz (the seid image's busybox cannot unpack other formats)`);
    if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256)))
      bad('bootstrap.snapshot.sha256', `${q(sha256)} is not a SHA-256 (64 lower-case hex)`);
  }
  return errors;
}

const q = JSON.stringify;

/**
 * Everything wrong with a node's props, each as `<field>: <what is wrong>`, fields spelled as in the props (and the
 * SeiNode spec). Empty when the props are good. Pure, so it is tested case by case without a synth.
 */
export function propErrors(props: SeiNodeProps, namespace: string | undefined): string[] {
  const errors: string[] = [];
  const bad = (field: string, why: string) => errors.push(`${field}: ${why}`);

  if (typeof props.name !== 'string' || props.name === '') bad('name', 'is required');
  else {
    if (!NODE_NAME.test(props.name))
      bad('name', `${q(props.name)} is not a DNS-1035 label (lower-case letters, digits, '-', starting with a letter)`);
    if (props.name.length > NODE_NAME_MAX)
      bad(
        'name',
        `${q(props.name)} is ${props.name.length} characters; at most ${NODE_NAME_MAX} fit the StatefulSet's pod revision label`,
      );
  }

  if (namespace === undefined || namespace === '')
    bad('namespace', 'is required: set the prop or the enclosing Chart\'s namespace');
  else if (!NODE_NAME.test(namespace) || namespace.length > 63) bad('namespace', `${q(namespace)} is not a DNS label`);

  if (typeof props.chainId !== 'string' || props.chainId === '') bad('chainId', 'is required');
  else if (!CHAIN_ID.test(props.chainId) || props.chainId.length > CHAIN_ID_MAX)
    bad('chainId', `${q(props.chainId)} is not a DNS label such as pacific-1`);

  if (typeof props.image !== 'string' || props.image === '') bad('image', 'is required');
  else if (/\s/.test(props.image)) bad('image', `${q(props.image)} contains whitespace`);
  else {
    if (!IMAGE_DIGEST.test(props.image) && props.allowImageTag !== true)
      bad('image', `${q(props.image)} is not pinned by digest (repo@sha256:…); set allowImageTag: true to accept a tag`);
    const tag = /:([^/@:]+)(@|$)/.exec(props.image.slice(props.image.lastIndexOf('/') + 1))?.[1];
    const version = tag ? parseVersion(tag) : undefined;
    const known = KNOWN_CHAINS[props.chainId];
    if (version && known && versionBelow(version, parseVersion(known.minImageVersion)!))
      bad('image', `${q(props.image)} is older than ${known.minImageVersion}, the oldest seid this project renders for ${props.chainId}`);
  }
  if (props.allowImageTag !== undefined && typeof props.allowImageTag !== 'boolean')
    bad('allowImageTag', `must be a boolean, got ${q(props.allowImageTag)}`);

  const modes = SEINODE_MODES.filter((m) => props[m] !== undefined);
  if (modes.length !== 1)
    bad(
      modes.length === 0 ? SEINODE_MODES.join('|') : modes.join('+'),
      `exactly one of ${SEINODE_MODES.join(', ')} must be set, got ${modes.length === 0 ? 'none' : modes.join(' and ')}`,
    );

  if (props.validator) {
    const { signingKeySecret, nodeKeySecret } = props.validator;
    if ((signingKeySecret === undefined) !== (nodeKeySecret === undefined))
      bad(
        signingKeySecret === undefined ? 'validator.signingKeySecret' : 'validator.nodeKeySecret',
        'is missing: validator.signingKeySecret and validator.nodeKeySecret must be set together',
      );
    for (const [field, value] of [
      ['validator.signingKeySecret', signingKeySecret],
      ['validator.nodeKeySecret', nodeKeySecret],
    ] as const)
      if (value !== undefined && (!DNS_SUBDOMAIN.test(value) || value.length > 253))
        bad(field, `${q(value)} is not a valid Secret name`);
  }

  if (props.paused !== undefined && typeof props.paused !== 'boolean') bad('paused', `must be a boolean, got ${q(props.paused)}`);

  if (props.updateStrategy !== undefined && !UPDATE_STRATEGIES.includes(props.updateStrategy))
    bad('updateStrategy', `${q(props.updateStrategy)} is not one of ${UPDATE_STRATEGIES.join(', ')}`);

  const peers = props.peers ?? [];
  const seenPeers = new Set<string>();
  peers.forEach((peer, i) => {
    if (typeof peer !== 'string' || !PEER.test(peer)) bad(`peers[${i}]`, `${q(peer)} is not <40-hex node id>@host:port`);
    else if (Number(peer.slice(peer.lastIndexOf(':') + 1)) > 65535) bad(`peers[${i}]`, `${q(peer)} has a port above 65535`);
    if (seenPeers.has(peer)) bad(`peers[${i}]`, `${q(peer)} is listed twice`);
    seenPeers.add(peer);
  });

  errors.push(...bootstrapErrors(props));
  if (props.genesis !== undefined) {
    if (KNOWN_CHAINS[props.chainId])
      bad('genesis', `${props.chainId}'s genesis is vendored (chains/${props.chainId}); genesis is for other chains`);
    if (typeof props.genesis.url !== 'string' || !HTTP_URL.test(props.genesis.url))
      bad('genesis.url', `${q(props.genesis.url)} is not an http(s) URL`);
    if (typeof props.genesis.sha256 !== 'string' || !SHA256.test(props.genesis.sha256))
      bad('genesis.sha256', `${q(props.genesis.sha256)} is not a SHA-256 (64 lower-case hex)`);
  } else if (typeof props.chainId === 'string' && props.chainId !== '' && !KNOWN_CHAINS[props.chainId])
    bad('genesis', `is required for chain ${q(props.chainId)}: only ${Object.keys(KNOWN_CHAINS).join(', ')} have a vendored genesis`);

  (props.lookupPeers ?? []).forEach((hostPort, i, all) => {
    if (typeof hostPort !== 'string' || !HOST_PORT.test(hostPort)) bad(`lookupPeers[${i}]`, `${q(hostPort)} is not the host:port of a peer's RPC`);
    if (all.indexOf(hostPort) !== i) bad(`lookupPeers[${i}]`, `${q(hostPort)} is listed twice`);
  });

  const bootstrapPeers = props.bootstrapPeers ?? [];
  bootstrapPeers.forEach((peer, i) => {
    if (typeof peer !== 'string' || !PEER.test(peer)) bad(`bootstrapPeers[${i}]`, `${q(peer)} is not <40-hex node id>@host:port`);
    if (bootstrapPeers.indexOf(peer) !== i) bad(`bootstrapPeers[${i}]`, `${q(peer)} is listed twice`);
  });
  if (props.nodeKeySecret !== undefined) {
    if (props.validator) bad('nodeKeySecret', 'a validator sets validator.nodeKeySecret (with its signing key)');
    if (typeof props.nodeKeySecret !== 'string' || !DNS_SUBDOMAIN.test(props.nodeKeySecret) || props.nodeKeySecret.length > 253)
      bad('nodeKeySecret', `${q(props.nodeKeySecret)} is not a valid Secret name`);
  }
  if (props.nodeId !== undefined) {
    if (typeof props.nodeId !== 'string' || !NODE_ID.test(props.nodeId)) bad('nodeId', `${q(props.nodeId)} is not a 40-hex node ID`);
    else if (props.nodeKeySecret === undefined && props.validator?.nodeKeySecret === undefined)
      bad('nodeId', 'needs a node key Secret (nodeKeySecret, or validator.nodeKeySecret): without one the ID changes with every fresh volume');
  }
  for (const field of ['privatePeerIds', 'unconditionalPeerIds'] as const)
    (props[field] ?? []).forEach((id, i) => {
      if (typeof id !== 'string' || !NODE_ID.test(id)) bad(`${field}[${i}]`, `${q(id)} is not a 40-hex node ID`);
    });
  if (props.maxLagBlocks !== undefined) {
    if (!Number.isInteger(props.maxLagBlocks) || props.maxLagBlocks < 0) bad('maxLagBlocks', `${q(props.maxLagBlocks)} is not a whole number of blocks`);
    else if (props.seed) bad('maxLagBlocks', 'a seed serves no RPC, so there is no /lag_status to tune');
  }
  if (props.p2pService !== undefined) {
    const { type, nodePort, annotations } = props.p2pService;
    if (type !== 'LoadBalancer' && type !== 'NodePort') bad('p2pService.type', `${q(type)} is not one of LoadBalancer, NodePort`);
    if (nodePort !== undefined && (!Number.isInteger(nodePort) || nodePort < 1 || nodePort > 65535))
      bad('p2pService.nodePort', `${q(nodePort)} is not a port number`);
    for (const [key, value] of Object.entries(annotations ?? {}))
      if (!LABEL_KEY.test(key) || typeof value !== 'string') bad(`p2pService.annotations[${q(key)}]`, 'is not a valid annotation');
  }
  if (props.externalAddress !== undefined && (typeof props.externalAddress !== 'string' || !HOST_PORT.test(props.externalAddress)))
    bad('externalAddress', `${q(props.externalAddress)} is not host:port`);

  const envNames = new Map<string, string>();
  for (const [key, value] of Object.entries(props.overrides ?? {})) {
    const field = `overrides[${q(key)}]`;
    if (!OVERRIDE_KEY.test(key)) bad(field, 'is not a dotted TOML key such as p2p.max-connections');
    else if (OWNED_SETTINGS.includes(key))
      bad(field, `${key} is set by the construct (mode, peers, bootstrap, readiness probe) and cannot be overridden`);
    else if (settingProblem(key) !== undefined) bad(field, settingProblem(key)!);
    else {
      const env = seidEnvName(key);
      const clash = envNames.get(env);
      if (clash !== undefined) bad(field, `becomes ${env}, like overrides[${q(clash)}]`);
      envNames.set(env, key);
    }
    if (typeof value !== 'string') bad(field, `must be a string, got ${q(value)}`);
  }

  for (const [key, value] of Object.entries(props.podLabels ?? {})) {
    const field = `podLabels[${q(key)}]`;
    if (RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p)))
      bad(field, `${RESERVED_LABEL_PREFIXES.join(' and ')} labels belong to the construct`);
    else if (!LABEL_KEY.test(key)) bad(field, 'is not a valid label key');
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
      bad(field, `${q(value)} is not a valid label value`);
  }

  const size = props.storage?.size;
  if (size !== undefined && !isQuantity(size)) bad('storage.size', `${q(size)} is not a quantity such as 2Ti`);
  else if (size !== undefined && quantityValue(size) <= 0) bad('storage.size', `${q(size)} must be positive`);
  const sc = props.storage?.storageClassName;
  if (sc !== undefined && (!DNS_SUBDOMAIN.test(sc) || sc.length > 253))
    bad('storage.storageClassName', `${q(sc)} is not a valid StorageClass name`);

  for (const kind of ['requests', 'limits'] as const)
    for (const [res, value] of Object.entries(props.resources?.[kind] ?? {})) {
      if (res !== 'cpu' && res !== 'memory') bad(`resources.${kind}.${res}`, 'only cpu and memory are supported');
      else if (!isQuantity(value)) bad(`resources.${kind}.${res}`, `${q(value)} is not a quantity such as 8 or 32Gi`);
    }

  return errors;
}

/** Requests above limits are rejected by the API server at pod creation, long after Git was synced: catch it here. */
export function resourceErrors(
  requests: Readonly<Record<string, string>>,
  limits: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(limits)
    .filter((res) => requests[res] !== undefined && quantityValue(requests[res]) > quantityValue(limits[res]))
    .map((res) => `resources.requests.${res}: ${requests[res]} exceeds limits.${res} ${limits[res]}`);
}
