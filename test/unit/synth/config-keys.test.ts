import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderConfigKeysModule } from '../../../scripts/gen-config-keys.js';
import { SEINODE_MODES, type SeiNodeMode } from '../../../src/constructs/seinode-crd.js';
import type { SeiNodeProps } from '../../../src/constructs/seinode.js';
import { APP_TOML_KEYS, APP_TOML_SECTIONS, CONFIG_TOML_KEYS, CONFIG_TOML_SECTIONS } from '../../../src/lib/seid-config-keys.js';
import { START_FLAG_SETTINGS, settingFile, settingProblem } from '../../../src/lib/seid-config.js';
import { seidEnvName } from '../../../src/lib/seid-env.js';
import { templateKeys } from '../../../src/lib/toml-template-keys.js';
import { IMAGE, PEER_ID, RPC_SERVERS, renderNode } from './render.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('the config key table of seid v6.1.0', () => {
  it('equals a fresh generation from the vendored templates (npm run gen:config-keys)', () => {
    expect(readFileSync(join(ROOT, 'src/lib/seid-config-keys.ts'), 'utf8')).toBe(renderConfigKeysModule());
  });

  it.each<[string, string, string[], string[]]>([
    ['top-level and sectioned keys', 'mode = "{{ .M }}"\n[p2p]\npex = {{ .P }}\n', ['mode', 'p2p.pex'], ['p2p']],
    ['commented keys are not keys', '[base]\n# concurrency-workers = {{ .C }}\nsize = 1\n', ['base.size'], ['base']],
    ['template-only lines are skipped', '[t]\nglobal-labels = [{{ range $k, $v := .L }}\n  ["{{$k}}", "{{$v}}"],{{ end }}\n]\n', ['t.global-labels'], ['t']],
    ['a repeated section adds to it', '[a]\nx = 1\n[b]\ny = 2\n[a]\nz = 3\n', ['a.x', 'b.y', 'a.z'], ['a', 'b']],
  ])('the template reader: %s', (_, text, keys, sections) => {
    expect(templateKeys(text)).toEqual({ keys, sections });
  });

  it('holds the keys the construct and the issue rely on, and not the ones that do not bind', () => {
    for (const key of ['mode', 'p2p.persistent-peers', 'p2p.bootstrap-peers', 'p2p.external-address', 'p2p.private-peer-ids',
      'p2p.unconditional-peer-ids', 'statesync.trust-height', 'statesync.trust-hash', 'statesync.temp-dir'])
      expect(CONFIG_TOML_KEYS).toContain(key);
    for (const key of ['pruning', 'min-retain-blocks', 'state-commit.sc-enable', 'state-store.ss-enable', 'evm.http_enabled'])
      expect(APP_TOML_KEYS).toContain(key);
    // In Tendermint's Go config but not in the template seid writes: an env var cannot reach them.
    expect(settingFile('rpc.lag-threshold')).toBeUndefined();
    expect(settingFile('p2p.seeds')).toBeUndefined();
    // Commented out in app.toml's template, but a `seid start` flag, which binds.
    expect(APP_TOML_KEYS).not.toContain('concurrency-workers');
    expect(settingFile('concurrency-workers')).toBe('flag');
    expect(settingProblem('p2p')).toMatch(/whole \[p2p\] section/);
    expect(settingProblem('state-store')).toMatch(/whole \[state-store\] section/);
  });

  it('no key\'s variable is also a section\'s (setting it would make seid ignore that whole section of the file)', () => {
    const sectionEnv = new Set([...CONFIG_TOML_SECTIONS, ...APP_TOML_SECTIONS].map(seidEnvName));
    expect([...CONFIG_TOML_KEYS, ...APP_TOML_KEYS, ...START_FLAG_SETTINGS].filter((k) => sectionEnv.has(seidEnvName(k)))).toEqual([]);
  });

  it('no two keys share a SEID_* variable, so each variable names one key', () => {
    const all = [...CONFIG_TOML_KEYS, ...APP_TOML_KEYS, ...START_FLAG_SETTINGS];
    const byEnv = new Map<string, string[]>();
    for (const k of all) byEnv.set(seidEnvName(k), [...(byEnv.get(seidEnvName(k)) ?? []), k]);
    expect([...byEnv.entries()].filter(([, keys]) => keys.length > 1)).toEqual([]);
  });
});

describe('every SEID_* variable the construct renders is a key seid v6.1.0 binds', () => {
  const keyOf = new Map([...CONFIG_TOML_KEYS, ...APP_TOML_KEYS, ...START_FLAG_SETTINGS].map((k) => [seidEnvName(k), k]));
  const seidEnv = (objects: any[]) =>
    objects
      .filter((o) => o.kind === 'StatefulSet')
      .flatMap((s) => s.spec.template.spec.containers.flatMap((c: any) => c.env ?? []))
      .map((e: { name: string }) => e.name)
      .filter((n: string) => n.startsWith('SEID_'));

  const everything = (mode: SeiNodeMode): SeiNodeProps =>
    ({
      name: 'n-0',
      chainId: 'atlantic-2',
      image: IMAGE,
      [mode]: {},
      ...(mode === 'seed' ? {} : { bootstrap: mode === 'archive' ? { snapshot: { url: 'https://s.example/a.tar' } } : { stateSync: { rpcServers: RPC_SERVERS } } }),
      peers: [`${PEER_ID}@a.example:26656`],
      bootstrapPeers: [`${PEER_ID}@seed.example:26656`],
      externalAddress: 'n-0.example:26656',
      privatePeerIds: [PEER_ID],
      unconditionalPeerIds: [PEER_ID],
    }) as SeiNodeProps;

  it.each(SEINODE_MODES)('%s with every feature on', (mode) => {
    const names = seidEnv(renderNode(everything(mode)).objects);
    expect(names.length).toBeGreaterThan(8);
    expect(names.filter((n) => !keyOf.has(n))).toEqual([]);
  });

  it('in the committed dist/', () => {
    const docs = readdirSync(join(ROOT, 'dist')).flatMap((f) =>
      parseAllDocuments(readFileSync(join(ROOT, 'dist', f), 'utf8')).map((d) => d.toJS()),
    );
    const names = seidEnv(docs);
    expect(names.length).toBeGreaterThan(40);
    expect(names.filter((n) => !keyOf.has(n))).toEqual([]);
  });
});
