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
} from '../lib/names.js';
import { isQuantity, quantityValue } from '../lib/quantity.js';
import { seidEnvName } from '../lib/seid-env.js';

/** Options of a full node. None yet: the mode itself is the choice. */
export type FullNodeOptions = Record<string, never>;
/** Options of an archive node (pruning `nothing`). None yet. */
export type ArchiveOptions = Record<string, never>;
/** Options of a seed node. None yet. */
export type SeedOptions = Record<string, never>;

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
  /** The seid image; pin it by digest so a synth is reproducible. */
  readonly image: string;
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

  const envNames = new Map<string, string>();
  for (const [key, value] of Object.entries(props.overrides ?? {})) {
    const field = `overrides[${q(key)}]`;
    if (!OVERRIDE_KEY.test(key)) bad(field, 'is not a dotted TOML key such as p2p.max-connections');
    else if (OWNED_SETTINGS.includes(key))
      bad(field, `${key} is set by the construct (mode, peers, readiness probe) and cannot be overridden`);
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
