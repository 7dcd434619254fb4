/**
 * The init container's script. It runs in the seid image itself (sei-chain v6.1.0's Dockerfile: `FROM alpine:3.18`
 * with only `/usr/bin/seid` added), so it is written for busybox: `sh`, `wget` (-q -O only: `-T` is a build option
 * of busybox, so time limits come from the `timeout` applet), `sha256sum`, `gunzip`, `tar`, `awk`, `tr`, `mv`. No bash,
 * curl or jq. The unit tests run it with Debian's busybox applets as well as with the machine's own tools. Every value that varies reaches it through environment
 * variables (see INIT_ENV), so the script text is the same for every node with the same features.
 *
 * It is idempotent, and every pod start runs it:
 * 1. a fresh volume gets `seid init` (the config files, a node key, a placeholder genesis);
 * 2. the genesis is the chain's (SHA-256 checked): a placeholder on a node without chain data is replaced by the
 *    verified file; a node *with* chain data and another genesis is refused, never overwritten;
 * 3. key Secrets, when given, are installed 0600 on every start; the sign state is created only when missing;
 * 4. first boot only (no chain data, no `.bootstrapped` marker): state sync looks up a trust height and hash agreed
 *    by every RPC server and writes them into config.toml, or a snapshot archive is restored. A volume that already
 *    has chain data (a node from before this script) is marked bootstrapped and left alone.
 */
import { SEID_HOME, SEID_PORTS } from '../constructs/seinode-defaults.js';

/** Where the init container sees its inputs (outside the data volume). */
export const INIT_MOUNTS = {
  signingKey: '/secrets/signing-key',
  nodeKey: '/secrets/node-key',
  genesis: '/genesis',
} as const;

/** The file name of the gzipped genesis in its ConfigMap. */
export const GENESIS_GZIP_KEY = 'genesis.json.gz';

/** Temp space on the data volume (state-sync chunks need about 12 GB; a snapshot archive more). */
export const SEID_TMP = `${SEID_HOME}/tmp`;

/** The environment variables the script reads. */
export const INIT_ENV = {
  chainId: 'CHAIN_ID',
  moniker: 'MONIKER',
  /** Expected SHA-256 of the uncompressed genesis.json. */
  genesisSha256: 'GENESIS_SHA256',
  /** An absolute path (a gzipped file from the ConfigMap) or an http(s) URL of a plain genesis.json. */
  genesisSource: 'GENESIS_SOURCE',
  /** Optional: the ID the installed node key must have. */
  nodeId: 'NODE_ID',
  /** Comma-separated RPC servers (state sync). */
  rpcServers: 'STATESYNC_RPC_SERVERS',
  trustHeightOffset: 'TRUST_HEIGHT_OFFSET',
  /** Comma-separated `host:port` RPC addresses of peers whose IDs are read from /status. */
  lookupPeers: 'LOOKUP_PEERS',
  /** Comma-separated `<id>@host:port` peers known at synth (with LOOKUP_PEERS only; else seid gets them by env). */
  staticPeers: 'STATIC_PEERS',
  /** Blocks of lag /lag_status tolerates (`[rpc] lag-threshold`). */
  lagThreshold: 'LAG_THRESHOLD',
  snapshotUrl: 'SNAPSHOT_URL',
  /** Optional; unset = not checked (an empty env value would be dropped by the API server and re-applied forever). */
  snapshotSha256: 'SNAPSHOT_SHA256',
} as const;

export type Bootstrap = 'stateSync' | 'snapshot' | 'none';

export interface InitScriptOptions {
  /** Install `priv_validator_key.json` from the signing-key Secret (and create the sign state when missing). */
  readonly signingKey: boolean;
  /** Install `node_key.json` from the node-key Secret. */
  readonly nodeKey: boolean;
  readonly bootstrap: Bootstrap;
  /** Look up peers' IDs ($LOOKUP_PEERS) and keep `[p2p] persistent-peers` in config.toml with $STATIC_PEERS. */
  readonly lookupPeers: boolean;
  /** Keep `[rpc] lag-threshold` in config.toml at $LAG_THRESHOLD (the readiness probe's lag). */
  readonly lagThreshold: boolean;
}

const HOME = SEID_HOME;
const CONFIG = `${HOME}/config`;
const DATA = `${HOME}/data`;
const MARKER = `${HOME}/.bootstrapped`;
const P2P_PORT = SEID_PORTS.find((p) => p.name === 'p2p')!.containerPort;

const PRELUDE = String.raw`set -eu
log() { echo "sei-init: $*" >&2; }
fail() { log "$*"; exit 1; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }
# Chain data = anything in data/ besides the sign state (seid init and this script write only that file there).
has_chain_data() {
  [ -d ${DATA} ] || return 1
  for f in ${DATA}/* ${DATA}/.[!.]*; do
    [ -e "$f" ] || continue
    [ "${'$'}{f##*/}" = priv_validator_state.json ] || return 0
  done
  return 1
}
# The value after the first occurrence of $1 (which ends in an opening quote), up to the closing quote. Whitespace is
# dropped first, so compact and indented JSON, bare results and JSON-RPC envelopes all read the same.
json_after() { tr -d ' \t\r\n' | awk -v k="$1" '{ i = index($0, k); if (i) { r = substr($0, i + length(k)); print substr(r, 1, index(r, "\"") - 1) } }'; }
get() { timeout 30 wget -q -O - "$1" 2>/dev/null; }`;

const SEID_INIT = String.raw`if [ ! -f ${CONFIG}/genesis.json ]; then
  log "fresh volume: seid init $MONIKER --chain-id $CHAIN_ID"
  seid init "$MONIKER" --chain-id "$CHAIN_ID" --home ${HOME} >/dev/null
fi`;

const GENESIS = String.raw`have="$(sha256 ${CONFIG}/genesis.json)"
if [ "$have" != "$GENESIS_SHA256" ]; then
  if has_chain_data; then
    fail "genesis: config/genesis.json has sha256 $have, not $GENESIS_SHA256 ($CHAIN_ID), and this node has chain data: refusing to replace it (check spec.chainId, or move the volume aside)"
  fi
  tmp=${CONFIG}/genesis.json.download
  case "$GENESIS_SOURCE" in
    /*) gunzip -c "$GENESIS_SOURCE" > "$tmp" || { rm -f "$tmp"; fail "genesis: cannot read $GENESIS_SOURCE"; } ;;
    *) timeout 600 wget -q -O "$tmp" "$GENESIS_SOURCE" || { rm -f "$tmp"; fail "genesis: cannot download $GENESIS_SOURCE"; } ;;
  esac
  got="$(sha256 "$tmp")"
  if [ "$got" != "$GENESIS_SHA256" ]; then
    rm -f "$tmp"
    fail "genesis: $GENESIS_SOURCE has sha256 $got, expected $GENESIS_SHA256 for $CHAIN_ID: refusing to install it"
  fi
  mv "$tmp" ${CONFIG}/genesis.json
  log "genesis: installed $CHAIN_ID genesis (sha256 $got) from $GENESIS_SOURCE"
fi`;

const SIGNING_KEY = String.raw`mkdir -p ${CONFIG} ${DATA}
cp ${INIT_MOUNTS.signingKey}/priv_validator_key.json ${CONFIG}/priv_validator_key.json
chmod 0600 ${CONFIG}/priv_validator_key.json
if [ ! -f ${DATA}/priv_validator_state.json ]; then printf '%s\n' '{"height":"0","round":0,"step":0}' > ${DATA}/priv_validator_state.json; fi`;

const NODE_KEY = String.raw`cp ${INIT_MOUNTS.nodeKey}/node_key.json ${CONFIG}/node_key.json
chmod 0600 ${CONFIG}/node_key.json
if [ -n "${'$'}{NODE_ID:-}" ]; then
  id="$(seid tendermint show-node-id --home ${HOME})"
  [ "$id" = "$NODE_ID" ] || fail "node key: the node key Secret's key has ID $id, but the SeiNode says nodeId $NODE_ID: peers would dial the wrong ID; fix the Secret or nodeId"
fi`;

/**
 * `[rpc] lag-threshold` is in Tendermint's config but not in v6.1.0's template, so no env variable can reach it (viper
 * only binds keys the file has): set it in the file itself, on every start, replacing the line or adding it under
 * `[rpc]`.
 */
const LAG_THRESHOLD = String.raw`case "$LAG_THRESHOLD" in ''|*[!0-9]*) fail "readiness: LAG_THRESHOLD $LAG_THRESHOLD is not a number of blocks" ;; esac
awk -v n="$LAG_THRESHOLD" '
  /^\[/ { if (section == "[rpc]" && !done) { print "lag-threshold = " n; done = 1 } section = $0 }
  section == "[rpc]" && /^lag-threshold *=/ { if (!done) print "lag-threshold = " n; done = 1; next }
  { print }
  END { if (section == "[rpc]" && !done) { print "lag-threshold = " n; done = 1 } if (!done) exit 3 }' ${CONFIG}/config.toml > ${CONFIG}/config.toml.new   || { rm -f ${CONFIG}/config.toml.new; fail "readiness: config/config.toml has no [rpc] section for lag-threshold"; }
mv ${CONFIG}/config.toml.new ${CONFIG}/config.toml`;

/**
 * Peers by RPC address: read each one's node ID from /status (the first `"id":"…"` of the answer is `node_info.id`),
 * skip the ones that do not answer, and write the list into `[p2p] persistent-peers`.
 */
const PEER_LOOKUP = String.raw`peers="${'$'}{STATIC_PEERS:-}"
for hp in $(echo "$LOOKUP_PEERS" | tr ',' ' '); do
  host="${'$'}{hp%:*}"
  if ! body="$(get "http://$hp/status")"; then log "peers: $hp does not answer; starting without it (the next start asks again)"; continue; fi
  id="$(printf '%s' "$body" | json_after '"id":"')"
  case "$id" in *[!0-9a-f]*|'') log "peers: $hp/status has no node ID; starting without it"; continue ;; esac
  [ "${'$'}{#id}" -eq 40 ] || { log "peers: $hp/status has no node ID; starting without it"; continue; }
  log "peers: $hp is $id"
  peers="${'$'}{peers:+$peers,}$id@$host:${P2P_PORT}"
done
awk -v p="$peers" '
  /^\[/ { section = $0 }
  section == "[p2p]" && /^persistent-peers *=/ { print "persistent-peers = "" p """; n++; next }
  { print }
  END { if (n != 1) exit 3 }' ${CONFIG}/config.toml > ${CONFIG}/config.toml.new   || { rm -f ${CONFIG}/config.toml.new; fail "peers: config/config.toml has no [p2p] persistent-peers to set"; }
mv ${CONFIG}/config.toml.new ${CONFIG}/config.toml`;

/** Looks up a trust height (lowest latest height - offset) and its block hash on every server; all must agree. */
const STATE_SYNC = String.raw`state_sync() {
  servers="$(echo "$STATESYNC_RPC_SERVERS" | tr ',' ' ')"
  lowest=
  for s in $servers; do
    body="$(get "$s/status")" || fail "state sync: RPC server $s is unreachable (GET $s/status failed)"
    h="$(printf '%s' "$body" | json_after '"latest_block_height":"')"
    case "$h" in ''|*[!0-9]*) fail "state sync: $s/status has no latest_block_height" ;; esac
    log "state sync: $s is at height $h"
    if [ -z "$lowest" ] || [ "$h" -lt "$lowest" ]; then lowest=$h; fi
  done
  trust=$((lowest - TRUST_HEIGHT_OFFSET))
  [ "$trust" -gt 0 ] || fail "state sync: the servers are at height $lowest, below the trust height offset $TRUST_HEIGHT_OFFSET"
  hash=; first=
  for s in $servers; do
    body="$(get "$s/block?height=$trust")" || fail "state sync: RPC server $s is unreachable (GET $s/block?height=$trust failed)"
    h="$(printf '%s' "$body" | json_after '"block_id":{"hash":"')"
    case "$h" in ''|*[!0-9A-Fa-f]*) fail "state sync: $s/block?height=$trust has no block_id.hash" ;; esac
    if [ -z "$hash" ]; then hash=$h; first=$s
    elif [ "$h" != "$hash" ]; then fail "state sync: RPC servers disagree on block $trust: $first says $hash, $s says $h; refusing to trust either"
    fi
  done
  awk -v h="$trust" -v x="$hash" '
    /^\[/ { section = $0 }
    section == "[statesync]" && /^trust-height *=/ { print "trust-height = " h; n++; next }
    section == "[statesync]" && /^trust-hash *=/ { print "trust-hash = \"" x "\""; n++; next }
    { print }
    END { if (n != 2) exit 3 }' ${CONFIG}/config.toml > ${CONFIG}/config.toml.new \
    || { rm -f ${CONFIG}/config.toml.new; fail "state sync: config/config.toml has no [statesync] trust-height and trust-hash to set"; }
  mv ${CONFIG}/config.toml.new ${CONFIG}/config.toml
  log "state sync: trust height $trust, hash $hash (agreed by: $servers)"
}`;

/**
 * Downloads, checks and unpacks a snapshot archive (.tar, .tar.gz) through a staging directory; moves its data/ and
 * wasm/ into the home and nothing else.
 */
const SNAPSHOT = String.raw`restore_snapshot() {
  mkdir -p ${SEID_TMP}
  archive=${SEID_TMP}/snapshot.download
  log "snapshot: downloading $SNAPSHOT_URL"
  # No time limit: an archive snapshot takes hours. A stalled download stalls this init container (no probe watches
  # init containers): delete the pod to start over.
  wget -q -O "$archive" "$SNAPSHOT_URL" || { rm -f "$archive"; fail "snapshot: cannot download $SNAPSHOT_URL"; }
  if [ -n "${'$'}{SNAPSHOT_SHA256:-}" ]; then
    got="$(sha256 "$archive")"
    [ "$got" = "$SNAPSHOT_SHA256" ] || { rm -f "$archive"; fail "snapshot: $SNAPSHOT_URL has sha256 $got, expected $SNAPSHOT_SHA256: refusing to restore it"; }
  fi
  staging=${SEID_TMP}/snapshot.staging
  rm -rf "$staging"; mkdir -p "$staging"
  case "$SNAPSHOT_URL" in
    *.tar.gz|*.tgz) tar -xzf "$archive" -C "$staging" || fail "snapshot: cannot unpack $SNAPSHOT_URL" ;;
    *) tar -xf "$archive" -C "$staging" || fail "snapshot: cannot unpack $SNAPSHOT_URL" ;;
  esac
  [ -d "$staging/data" ] || fail "snapshot: $SNAPSHOT_URL has no data/ directory at its top"
  # The sign state stays the node's own: a snapshot's copy must never replace it.
  rm -f "$staging/data/priv_validator_state.json"
  # Only chain state comes from a snapshot: data/ and wasm/ (contract code). Anything else in it, config/ above all
  # (the node's keys, genesis and settings), is left out.
  for entry in "$staging"/*; do
    name="${'$'}{entry##*/}"
    case "$name" in
      data) mkdir -p ${DATA}; for f in "$entry"/*; do [ -e "$f" ] && mv "$f" ${DATA}/; done ;;
      wasm) rm -rf ${HOME}/wasm; mv "$entry" ${HOME}/wasm ;;
      *) log "snapshot: leaving out $name/ (only data/ and wasm/ are restored)" ;;
    esac
  done
  rm -rf "$staging" "$archive"
  log "snapshot: restored $SNAPSHOT_URL"
}`;

export function initScript(options: InitScriptOptions): string {
  const bootstrap =
    options.bootstrap === 'none'
      ? []
      : [
          options.bootstrap === 'stateSync' ? STATE_SYNC : SNAPSHOT,
          String.raw`if [ ! -f ${MARKER} ]; then
  if has_chain_data; then log "bootstrap: the volume already has chain data; not bootstrapping it"
  else ${options.bootstrap === 'stateSync' ? 'state_sync' : 'restore_snapshot'}
  fi
  touch ${MARKER}
fi`,
        ];
  return [
    PRELUDE,
    SEID_INIT,
    GENESIS,
    ...(options.signingKey ? [SIGNING_KEY] : []),
    ...(options.nodeKey ? [NODE_KEY] : []),
    ...(options.lagThreshold ? [LAG_THRESHOLD] : []),
    ...(options.lookupPeers ? [PEER_LOOKUP] : []),
    `mkdir -p ${SEID_TMP}`,
    ...bootstrap,
  ].join('\n');
}
