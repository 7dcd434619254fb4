import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { KNOWN_CHAINS, vendoredGenesisGzip } from '../../../src/lib/chains.js';
import { baseProps, renderNodes } from './render.js';

const ROOT = resolve(import.meta.dirname, '../../..');
/** The project's shared copy of sei-config's genesis files (outside the repo; absent on a fresh CI clone). */
const SHARED_SUMS = join(ROOT, '..', 'shared', 'sei', 'chains', 'SHA256SUMS');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** What client-side apply may store: all annotations of an object together, 256 KiB. */
const ANNOTATIONS_LIMIT = 256 * 1024;

describe('vendored genesis files', () => {
  it.each(Object.keys(KNOWN_CHAINS))('%s: the gzip holds the genesis whose sha256 the code expects', (chainId) => {
    const genesis = gunzipSync(vendoredGenesisGzip(chainId));
    expect(sha256(genesis)).toBe(KNOWN_CHAINS[chainId].genesisSha256);
    expect(JSON.parse(genesis.toString('utf8')).chain_id).toBe(chainId);
  });

  (existsSync(SHARED_SUMS) ? it : it.skip)('match ../shared/sei/chains/SHA256SUMS and the files there (skipped when ../shared is absent)', () => {
    const sums = Object.fromEntries(
      readFileSync(SHARED_SUMS, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/))
        .map(([hash, file]) => [file.split('/')[0], hash]),
    );
    for (const chainId of Object.keys(KNOWN_CHAINS)) {
      expect(KNOWN_CHAINS[chainId].genesisSha256).toBe(sums[chainId]);
      const shared = readFileSync(join(ROOT, '..', 'shared', 'sei', 'chains', chainId, 'genesis.json'));
      expect(gunzipSync(vendoredGenesisGzip(chainId)).equals(shared)).toBe(true);
    }
  });
});

describe('the genesis ConfigMap', () => {
  it.each(Object.keys(KNOWN_CHAINS))('%s: one per namespace and chain, shared by its nodes, small enough for client-side apply', (chainId) => {
    const objects = renderNodes([baseProps({ chainId }), baseProps({ chainId, name: 'rpc-1' })]);
    const maps = objects.filter((o) => o.kind === 'ConfigMap');
    expect(maps).toHaveLength(1);
    const [map] = maps as any[];
    expect(map.metadata.name).toBe(`genesis-${chainId}`);
    expect(map.immutable).toBe(true);
    const bytes = Buffer.from(map.binaryData['genesis.json.gz'], 'base64');
    expect(sha256(gunzipSync(bytes))).toBe(KNOWN_CHAINS[chainId].genesisSha256);
    // last-applied-configuration holds the whole object as JSON: it must fit with room to spare.
    expect(JSON.stringify(map).length).toBeLessThan(ANNOTATIONS_LIMIT * 0.6);
    for (const sts of objects.filter((o) => o.kind === 'StatefulSet') as any[]) {
      expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'genesis', configMap: { name: `genesis-${chainId}`, defaultMode: 0o444 } });
      const env = Object.fromEntries(sts.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({ GENESIS_SHA256: KNOWN_CHAINS[chainId].genesisSha256, GENESIS_SOURCE: '/genesis/genesis.json.gz' });
    }
  });

  it('a chain that is not vendored gets no ConfigMap: its init step downloads the genesis and checks its sha256', () => {
    const genesis = { url: 'https://g.example/genesis.json', sha256: 'ef'.repeat(32) };
    const objects = renderNodes([baseProps({ chainId: 'my-devnet-1', genesis })]);
    expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const sts = objects.find((o) => o.kind === 'StatefulSet') as any;
    const env = Object.fromEntries(sts.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ GENESIS_SHA256: genesis.sha256, GENESIS_SOURCE: genesis.url });
    expect(sts.spec.template.spec.volumes.map((v: any) => v.name)).not.toContain('genesis');
  });
});
