import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Sei's public networks, as the Sei operator's config library knows them (sei-protocol/sei-config commit 3fd5c81,
 * `chains.go` for the RPC endpoint, `chains/<id>/genesis.json` for the genesis, vendored gzipped in `chains/`).
 */
export interface KnownChain {
  readonly chainId: string;
  /** SHA-256 of the uncompressed genesis.json (hex), as `../shared/sei/chains/SHA256SUMS` lists it. */
  readonly genesisSha256: string;
  /** The public Tendermint RPC endpoint sei-config's `chains.go` names for the chain. */
  readonly publicRpc: string;
  /**
   * The oldest seid whose image this project renders for: the config key table (src/lib/seid-config-keys.ts) is
   * v6.1.0's, and older images lack keys the construct sets. Not a statement about which version the chain is at
   * today — an upgraded chain needs a newer image, which only a running chain can tell.
   */
  readonly minImageVersion: string;
}

export const KNOWN_CHAINS: Readonly<Record<string, KnownChain>> = {
  'pacific-1': {
    chainId: 'pacific-1',
    genesisSha256: 'd7ce8349b9e26573951c8c19afe018ee721cddcedb2d5a8df6f712ecbccc3428',
    publicRpc: 'https://rpc.sei-apis.com',
    minImageVersion: 'v6.1.0',
  },
  'atlantic-2': {
    chainId: 'atlantic-2',
    genesisSha256: 'd78c35f55c5263108d56f638b26255c714a36e0800f2dcf57136ecb9042e7772',
    publicRpc: 'https://rpc-testnet.sei-apis.com',
    minImageVersion: 'v6.1.0',
  },
  'arctic-1': {
    chainId: 'arctic-1',
    genesisSha256: '8ef5b0c01c1cde65be22a0f501d1663c55b3a900b46ecb72a5ccd823040bf035',
    publicRpc: 'https://rpc-arctic-1.sei-apis.com',
    minImageVersion: 'v6.1.0',
  },
};

const CHAINS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'chains');

/** The committed gzip bytes of a known chain's genesis (chains/<id>/genesis.json.gz). */
export function vendoredGenesisGzip(chainId: string): Buffer {
  if (!KNOWN_CHAINS[chainId]) throw new Error(`no vendored genesis for chain ${JSON.stringify(chainId)}`);
  return readFileSync(join(CHAINS_DIR, chainId, 'genesis.json.gz'));
}

/** `v6.1.0` → [6, 1, 0]; undefined for anything else. */
export function parseVersion(tag: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function versionBelow(a: [number, number, number], b: [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}
