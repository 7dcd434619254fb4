/**
 * How configuration reaches seid. The Cosmos SDK's server binds every app.toml/config.toml key to an environment
 * variable: prefix = the binary name upper-cased (`SEID`), then the key upper-cased with `.` and `-` turned into `_`
 * (`rpc.laddr` → `SEID_RPC_LADDR`). Environment beats the files, so no config file has to be templated.
 */
export function seidEnvName(key) {
    return `SEID_${key.toUpperCase().replace(/[.-]/g, '_')}`;
}
/**
 * The environment for a set of dotted keys, sorted by variable name so the rendered pod template (and with it the
 * fingerprint) does not depend on the order the keys were written in. Two keys that map to one variable would make
 * one silently win; that is an error naming both.
 */
export function seidEnv(settings) {
    const byName = new Map();
    for (const [key, value] of Object.entries(settings)) {
        const name = seidEnvName(key);
        const clash = byName.get(name);
        if (clash)
            throw new Error(`settings ${JSON.stringify(clash.key)} and ${JSON.stringify(key)} both become ${name}`);
        byName.set(name, { key, value });
    }
    return [...byName.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, { value }]) => ({ name, value }));
}
/** Peers as seid's comma-separated `p2p.persistent-peers`, sorted and de-duplicated. */
export function persistentPeers(peers) {
    return [...new Set(peers)].sort().join(',');
}
