/**
 * Name rules for a SeiNode and everything derived from it. The node name becomes the StatefulSet, the Service
 * (DNS-1035 label: starts with a letter), the PVC `data-<name>` and the pod `<name>-0`, whose
 * `controller-revision-hash` label is `<name>-<10 chars>` and must fit in 63 characters: hence 52.
 */
export const NODE_NAME_MAX = 52;
export const NODE_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** A chain ID as Sei spells them (`pacific-1`, `atlantic-2`): a DNS label, since it is also a label value. */
export const CHAIN_ID_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const CHAIN_ID_MAX = 63;
/** A DNS-1123 subdomain: Secret and StorageClass names. */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/**
 * A static peer, `<node id>@host:port`: the node ID (40 hex, from the peer's node_key.json, `seid tendermint
 * show-node-id`) is required, because Sei's Tendermint refuses to start on a persistent peer without one.
 */
export const PEER_PATTERN = '^[0-9a-f]{40}@[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[0-9]{1,5}$';
/** A dotted TOML key of app.toml/config.toml, e.g. `p2p.max-connections`, `evm.http_port`. */
export const OVERRIDE_KEY_PATTERN = '^[a-z0-9]+([._-][a-z0-9]+)*$';
/** A label key (optional DNS prefix + `/` + name) and a label value, as Kubernetes validates them. */
export const LABEL_KEY_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';
/** Label prefixes the construct owns; a user's podLabels may not set them (the selector depends on them). */
export const RESERVED_LABEL_PREFIXES = ['sei.io/', 'app.kubernetes.io/'] as const;
/**
 * An RPC server or download URL: http(s), no whitespace and no comma (state-sync servers are joined with commas into
 * one setting).
 */
export const HTTP_URL_PATTERN = '^https?://[^\\s,]+$';
/** A SHA-256 digest as sha256sum prints it (64 lower-case hex). */
export const SHA256_PATTERN = '^[0-9a-f]{64}$';
/** A Go duration such as seid's `trust-period` takes (`168h`, `90m`, `1h30m`). */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$';
/** `host:port` as seid's `p2p.external-address` takes it (no node ID). */
export const HOST_PORT_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[0-9]{1,5}$';
/** An image pinned by digest: `repo[:tag]@sha256:<64 hex>`. */
export const IMAGE_DIGEST_PATTERN = '@sha256:[0-9a-f]{64}$';
/** A Tendermint node ID: 40 lower-case hex (`seid tendermint show-node-id`). */
export const NODE_ID_PATTERN = '^[0-9a-f]{40}$';
