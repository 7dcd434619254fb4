import { SEINODE_MODES } from './seinode-crd.js';
import { OWNED_SETTINGS } from './seinode-defaults.js';
import { CHAIN_ID_MAX, CHAIN_ID_PATTERN, DNS_SUBDOMAIN_PATTERN, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, NODE_NAME_MAX, NODE_NAME_PATTERN, OVERRIDE_KEY_PATTERN, PEER_PATTERN, RESERVED_LABEL_PREFIXES, } from '../lib/names.js';
import { isQuantity, quantityValue } from '../lib/quantity.js';
import { seidEnvName } from '../lib/seid-env.js';
/** The mode a props object chose. Call only on props that passed `propErrors`. */
export function modeOf(props) {
    return SEINODE_MODES.find((m) => props[m] !== undefined);
}
const re = (pattern) => new RegExp(pattern);
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
export function propErrors(props, namespace) {
    const errors = [];
    const bad = (field, why) => errors.push(`${field}: ${why}`);
    if (typeof props.name !== 'string' || props.name === '')
        bad('name', 'is required');
    else {
        if (!NODE_NAME.test(props.name))
            bad('name', `${q(props.name)} is not a DNS-1035 label (lower-case letters, digits, '-', starting with a letter)`);
        if (props.name.length > NODE_NAME_MAX)
            bad('name', `${q(props.name)} is ${props.name.length} characters; at most ${NODE_NAME_MAX} fit the StatefulSet's pod revision label`);
    }
    if (namespace === undefined || namespace === '')
        bad('namespace', 'is required: set the prop or the enclosing Chart\'s namespace');
    else if (!NODE_NAME.test(namespace) || namespace.length > 63)
        bad('namespace', `${q(namespace)} is not a DNS label`);
    if (typeof props.chainId !== 'string' || props.chainId === '')
        bad('chainId', 'is required');
    else if (!CHAIN_ID.test(props.chainId) || props.chainId.length > CHAIN_ID_MAX)
        bad('chainId', `${q(props.chainId)} is not a DNS label such as pacific-1`);
    if (typeof props.image !== 'string' || props.image === '')
        bad('image', 'is required');
    else if (/\s/.test(props.image))
        bad('image', `${q(props.image)} contains whitespace`);
    const modes = SEINODE_MODES.filter((m) => props[m] !== undefined);
    if (modes.length !== 1)
        bad(modes.length === 0 ? SEINODE_MODES.join('|') : modes.join('+'), `exactly one of ${SEINODE_MODES.join(', ')} must be set, got ${modes.length === 0 ? 'none' : modes.join(' and ')}`);
    if (props.validator) {
        const { signingKeySecret, nodeKeySecret } = props.validator;
        if ((signingKeySecret === undefined) !== (nodeKeySecret === undefined))
            bad(signingKeySecret === undefined ? 'validator.signingKeySecret' : 'validator.nodeKeySecret', 'is missing: validator.signingKeySecret and validator.nodeKeySecret must be set together');
        for (const [field, value] of [
            ['validator.signingKeySecret', signingKeySecret],
            ['validator.nodeKeySecret', nodeKeySecret],
        ])
            if (value !== undefined && (!DNS_SUBDOMAIN.test(value) || value.length > 253))
                bad(field, `${q(value)} is not a valid Secret name`);
    }
    if (props.paused !== undefined && typeof props.paused !== 'boolean')
        bad('paused', `must be a boolean, got ${q(props.paused)}`);
    if (props.updateStrategy !== undefined && !UPDATE_STRATEGIES.includes(props.updateStrategy))
        bad('updateStrategy', `${q(props.updateStrategy)} is not one of ${UPDATE_STRATEGIES.join(', ')}`);
    const peers = props.peers ?? [];
    const seenPeers = new Set();
    peers.forEach((peer, i) => {
        if (typeof peer !== 'string' || !PEER.test(peer))
            bad(`peers[${i}]`, `${q(peer)} is not <40-hex node id>@host:port`);
        else if (Number(peer.slice(peer.lastIndexOf(':') + 1)) > 65535)
            bad(`peers[${i}]`, `${q(peer)} has a port above 65535`);
        if (seenPeers.has(peer))
            bad(`peers[${i}]`, `${q(peer)} is listed twice`);
        seenPeers.add(peer);
    });
    const envNames = new Map();
    for (const [key, value] of Object.entries(props.overrides ?? {})) {
        const field = `overrides[${q(key)}]`;
        if (!OVERRIDE_KEY.test(key))
            bad(field, 'is not a dotted TOML key such as p2p.max-connections');
        else if (OWNED_SETTINGS.includes(key))
            bad(field, `${key} is set by the construct (mode, peers, readiness probe) and cannot be overridden`);
        else {
            const env = seidEnvName(key);
            const clash = envNames.get(env);
            if (clash !== undefined)
                bad(field, `becomes ${env}, like overrides[${q(clash)}]`);
            envNames.set(env, key);
        }
        if (typeof value !== 'string')
            bad(field, `must be a string, got ${q(value)}`);
    }
    for (const [key, value] of Object.entries(props.podLabels ?? {})) {
        const field = `podLabels[${q(key)}]`;
        if (RESERVED_LABEL_PREFIXES.some((p) => key.startsWith(p)))
            bad(field, `${RESERVED_LABEL_PREFIXES.join(' and ')} labels belong to the construct`);
        else if (!LABEL_KEY.test(key))
            bad(field, 'is not a valid label key');
        if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
            bad(field, `${q(value)} is not a valid label value`);
    }
    const size = props.storage?.size;
    if (size !== undefined && !isQuantity(size))
        bad('storage.size', `${q(size)} is not a quantity such as 2Ti`);
    else if (size !== undefined && quantityValue(size) <= 0)
        bad('storage.size', `${q(size)} must be positive`);
    const sc = props.storage?.storageClassName;
    if (sc !== undefined && (!DNS_SUBDOMAIN.test(sc) || sc.length > 253))
        bad('storage.storageClassName', `${q(sc)} is not a valid StorageClass name`);
    for (const kind of ['requests', 'limits'])
        for (const [res, value] of Object.entries(props.resources?.[kind] ?? {})) {
            if (res !== 'cpu' && res !== 'memory')
                bad(`resources.${kind}.${res}`, 'only cpu and memory are supported');
            else if (!isQuantity(value))
                bad(`resources.${kind}.${res}`, `${q(value)} is not a quantity such as 8 or 32Gi`);
        }
    return errors;
}
/** Requests above limits are rejected by the API server at pod creation, long after Git was synced: catch it here. */
export function resourceErrors(requests, limits) {
    return Object.keys(limits)
        .filter((res) => requests[res] !== undefined && quantityValue(requests[res]) > quantityValue(limits[res]))
        .map((res) => `resources.requests.${res}: ${requests[res]} exceeds limits.${res} ${limits[res]}`);
}
