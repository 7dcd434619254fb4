import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { renderNodes } from './render.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DIST = join(ROOT, 'dist');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const readDir = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
const docsOf = (dir: string) =>
  Object.values(readDir(dir)).flatMap((text) => parseAllDocuments(text).map((d) => d.toJS()));

/** Runs the app the way `cdk8s synth` does (CDK8S_OUTDIR), from `cwd`, with extra environment. */
function synthInto(cwd: string, env: Record<string, string>): string {
  const out = mkdtempSync(join(tmpdir(), 'sei-synth-'));
  execFileSync(TSX, [join(ROOT, 'src/main.ts')], { cwd, env: { ...process.env, ...env, CDK8S_OUTDIR: out }, stdio: 'pipe' });
  return out;
}

describe('dist/ is a pure function of the source', () => {
  const committed = readDir(DIST);

  it('holds the CRD, the reconciler, the fleet, then the admission policy (a first apply creates the fleet before the door closes)', () => {
    expect(Object.keys(committed)).toEqual([
      '0000-seinode-crd.k8s.yaml',
      '0001-seinode-reconciler.k8s.yaml',
      '0002-sei-atlantic-2.k8s.yaml',
      '0003-seinode-admission.k8s.yaml',
    ]);
  });

  it.each([
    ['from the project root', ROOT, { TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }],
    ['from another cwd, another TZ and locale', tmpdir(), { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' }],
    ['with cdk8s key sorting switched off in the environment', tmpdir(), { CDK8S_DISABLE_SORT: '1', TZ: 'Asia/Kolkata' }],
  ])('a fresh synth %s is byte-identical to the committed dist/', (_, cwd, env) => {
    const out = synthInto(cwd, env);
    try {
      expect(readDir(out)).toEqual(committed);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('every SeiNode in dist/ validates against the CRD schema in dist/', () => {
  const docs = docsOf(DIST);
  const crd = docs.find((d) => d.kind === 'CustomResourceDefinition');
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  // The Kubernetes extensions are not JSON Schema; CEL rules are the API server's to check (integration tests).
  const ajv = new Ajv({ strict: true, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object, whose .default is the plugin.
  (formatsPlugin as unknown as { default: (a: Ajv) => void }).default(ajv);
  for (const k of ['x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-int-or-string'])
    ajv.addKeyword(k);
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  const validate = ajv.compile(schema);
  const nodes = docs.filter((d) => d.kind === 'SeiNode');

  it('finds the example fleet', () => expect(nodes.length).toBeGreaterThanOrEqual(4));

  it.each(nodes.map((n) => [n.metadata.name, n]))('%s', (_, node) => {
    const ok = validate(node);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('so does a node with every optional prop set (the schema accepts all the construct renders)', () => {
    const id = '0123456789abcdef0123456789abcdef01234567';
    const [node] = renderNodes([
      {
        name: 'devnet-0',
        chainId: 'my-devnet-1',
        image: 'ghcr.io/sei-protocol/sei:v6.1.0',
        allowImageTag: true,
        fullNode: {},
        genesis: { url: 'https://g.example/genesis.json', sha256: 'ab'.repeat(32) },
        bootstrap: { stateSync: { rpcServers: ['https://a.example', 'https://b.example'], trustPeriod: '72h', trustHeightOffset: 500 } },
        bootstrapPeers: [`${id}@seed.example:26656`],
        externalAddress: 'devnet-0.example:26656',
        p2pService: { type: 'NodePort', nodePort: 30656, annotations: { 'a.example/b': 'c' } },
        nodeKeySecret: 'devnet-0-node-key',
        nodeId: id,
        peers: [`${id}@peer.example:26656`],
        privatePeerIds: [id],
        unconditionalPeerIds: [id],
        overrides: { 'p2p.max-connections': '50' },
        podLabels: { team: 'x' },
        storage: { size: '1Ti', storageClassName: 'fast' },
        resources: { requests: { cpu: '4', memory: '16Gi' }, limits: { cpu: '8', memory: '16Gi' } },
        updateStrategy: 'OnDelete',
        paused: true,
      },
    ]).filter((o) => o.kind === 'SeiNode');
    expect(Object.keys(node.spec).length).toBeGreaterThanOrEqual(20);
    expect(validate(node)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('and the validator would catch a bad one', () => {
    const bad = structuredClone(nodes[0]);
    bad.spec.storage.size = '2TB';
    bad.spec.peers = ['sentry-0.sei.svc:26656']; // no node ID
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e: { instancePath: string }) => e.instancePath).sort()).toEqual(['/spec/peers/0', '/spec/storage/size']);
  });

  it('every StatefulSet selects exactly {sei.io/node: <name>}, and the paused one has replicas 0', () => {
    const sets = docs.filter((d) => d.kind === 'StatefulSet');
    for (const s of sets) expect(s.spec.selector).toEqual({ matchLabels: { 'sei.io/node': s.metadata.name } });
    const paused = nodes.filter((n) => n.spec.paused).map((n) => n.metadata.name);
    expect(paused.length).toBeGreaterThan(0);
    for (const s of sets) expect(s.spec.replicas).toBe(paused.includes(s.metadata.name) ? 0 : 1);
  });
});

describe('imports/ is what `cdk8s import` generates from the CRD in dist/', () => {
  it('matches a fresh import', () => {
    const out = mkdtempSync(join(tmpdir(), 'sei-import-'));
    try {
      execFileSync(
        join(ROOT, 'node_modules/.bin/cdk8s'),
        ['import', '--no-check-upgrade', '--language', 'typescript', '--output', out, join(DIST, '0000-seinode-crd.k8s.yaml')],
        { cwd: out, stdio: 'pipe' },
      );
      expect(readDir(out)).toEqual(readDir(join(ROOT, 'imports')));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
