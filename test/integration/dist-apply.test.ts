import { beforeAll, describe, expect, it } from '@jest/globals';
import { FINGERPRINT_ANNOTATION } from '../../src/contract.js';
import type { SeiNodeProps } from '../../src/constructs/seinode.js';
import { controllerManagerSkipReason, eventually, hasControllerManager, kubectl, kubectlOk, useNamespace } from './helpers/cluster.js';
import { gunzipSync } from 'node:zlib';
import { distObjects, synthFleet, toYaml, type Manifest } from './helpers/manifests.js';

import { argoSync, argoSyncRun, fluxApplyRun, type EngineRun } from './helpers/engines.js';
import { installCrd } from './helpers/gitops.js';

/** Kubectl writes for the CEL tests below (which test the API server's validation, not a GitOps engine). */
const ARGO = ['apply', '--server-side', '--field-manager=argocd-controller'];
/** The size limit of client-side apply's last-applied annotation is the API server's; kubectl's client-side apply shows it. */
const CLIENT_SIDE = ['apply'];

/** What Argo CD and Flux do with dist/: the real engines (test/gitops), one sync or reconcile per call. */
type Engine = (namespace: string, objects: Manifest[]) => Promise<EngineRun>;
const ARGO_SSA: Engine = (ns, objects) => argoSyncRun(ns, objects);
const FLUX_APPLY: Engine = (ns, objects) => fluxApplyRun(ns, objects);
const ARGO_CLIENT_SIDE: Engine = (ns, objects) => argoSyncRun(ns, objects, { serverSideApply: false });

beforeAll(installCrd, 90_000);

/** generation + resourceVersion of every object in a namespace that the manifests name. */
async function versions(objects: Manifest[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const o of objects) {
    const live = JSON.parse(await kubectlOk(['get', o.kind.toLowerCase(), o.metadata.name, '-n', o.metadata.namespace!, '-o', 'json']));
    out[`${o.kind}/${o.metadata.name}`] = `gen=${live.metadata.generation ?? '-'} rv=${live.metadata.resourceVersion}`;
  }
  return out;
}

/**
 * versions() once nothing has written for a second. The StatefulSet controller writes status (and creates the
 * Pod) after a StatefulSet is created; that is not the apply's doing, and measuring across it made this test race.
 */
async function settledVersions(objects: Manifest[]): Promise<Record<string, string>> {
  const deadline = Date.now() + 30_000;
  let last = await versions(objects);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await versions(objects);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    if (Date.now() > deadline) throw new Error(`objects still changing after 30 s: ${JSON.stringify(now)}`);
    last = now;
  }
}

describe.each([
  ['Argo CD (ServerSideApply=true, argocd-controller)', ARGO_SSA],
  ['Flux (kustomize-controller ssa, prune)', FLUX_APPLY],
  ['Argo CD (client-side apply)', ARGO_CLIENT_SIDE],
])('dist/ applied by %s', (_, engine) => {
  const ns = useNamespace('dist');

  it('applies every object, and re-applying it changes nothing (no generation or resourceVersion bump)', async () => {
    const objects = distObjects(ns.name);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['SeiNode', 'Service', 'PersistentVolumeClaim', 'StatefulSet', 'ConfigMap', 'NetworkPolicy']),
    );
    const first = await engine(ns.name, objects);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const created = await settledVersions(objects);
    // The API server rewrites a freshly created PVC once on its first update, even an identical one (the
    // resourceVersion moves, no field does; measured on v1.34.4). Nothing else may change, then nothing at all.
    const again = await engine(ns.name, objects);
    expect(again.code).toBe(0);
    const settled = await settledVersions(objects);
    const changed = Object.keys(created).filter((k) => created[k] !== settled[k]);
    expect(changed.filter((k) => !k.startsWith('PersistentVolumeClaim/'))).toEqual([]);
    for (const k of Object.keys(created)) expect(settled[k].split(' ')[0]).toBe(created[k].split(' ')[0]);
    const third = await engine(ns.name, objects);
    expect(third.code).toBe(0);
    expect(third.result!.resources.map((r) => r.action)).not.toContain('configured'); // Flux: all unchanged
    expect(await versions(objects)).toEqual(settled);
  }, 120_000);

  it('keeps what was rendered: the selector, the fingerprint and paused replicas survive defaulting', async () => {
    const objects = distObjects(ns.name);
    for (const o of objects.filter((x) => x.kind === 'StatefulSet')) {
      const live = JSON.parse(await kubectlOk(['get', 'statefulset', o.metadata.name, '-n', ns.name, '-o', 'json']));
      expect(live.spec.selector).toEqual({ matchLabels: { 'sei.io/node': o.metadata.name } });
      expect(live.metadata.annotations[FINGERPRINT_ANNOTATION]).toBe((o.metadata.annotations as Record<string, string>)[FINGERPRINT_ANNOTATION]);
      expect(live.spec.replicas).toBe(o.spec.replicas);
    }
  });
});

describe('the CRD rejects bad SeiNodes, naming the field', () => {
  const ns = useNamespace('crd');
  const good = () => structuredClone(distObjects(ns.name).find((o) => o.kind === 'SeiNode' && o.spec.fullNode)!);

  const cases: [string, (o: Manifest) => void, RegExp][] = [
    ['no mode', (o) => delete o.spec.fullNode, /spec: Invalid value: .*exactly one of spec.fullNode, spec.archive, spec.validator, spec.seed/],
    ['two modes', (o) => (o.spec.seed = {}), /exactly one of spec.fullNode/],
    [
      'signing key without node key',
      (o) => {
        delete o.spec.fullNode;
        o.spec.validator = { signingKeySecret: 'k' };
      },
      /spec.validator: Invalid value: .*signingKeySecret and spec.validator.nodeKeySecret must be set together/,
    ],
    ['chainId pattern', (o) => (o.spec.chainId = 'Pacific_1'), /spec.chainId: Invalid value: "Pacific_1"/],
    ['storage size not a quantity', (o) => (o.spec.storage.size = '2TB'), /spec.storage.size: Invalid value: "2TB"/],
    ['resource quantity', (o) => (o.spec.resources.requests.cpu = 'eight'), /spec.resources.requests.cpu: Invalid value: "eight"/],
    ['peer without port', (o) => (o.spec.peers = ['sentry-0']), /spec.peers\[0\]: Invalid value: "sentry-0"/],
    [
      'peer without node ID',
      (o) => (o.spec.peers = ['sentry-0.sei.svc:26656']),
      /spec.peers\[0\]: Invalid value: "sentry-0.sei.svc:26656"/,
    ],
    ['negative storage size', (o) => (o.spec.storage.size = '-2Ti'), /spec.storage.size: Invalid value: .*must be above 0/],
    ['zero storage size', (o) => (o.spec.storage.size = '0'), /spec.storage.size: Invalid value: .*must be above 0/],
    ['override key not dotted TOML', (o) => (o.spec.overrides = { 'P2P PEX': 'x' }), /spec.overrides: Invalid value: .*dotted TOML keys/],
    ['override of a key seid does not write', (o) => (o.spec.overrides = { 'rpc.lag-threshold': '50' }), /spec.overrides: Invalid value: .*keys of seid v6.1.0's app.toml or config.toml templates/],
    ['override naming a whole section', (o) => (o.spec.overrides = { p2p: 'x' }), /spec.overrides: Invalid value: .*keys of seid v6.1.0's app.toml or config.toml templates/],
    ['override of an owned key', (o) => (o.spec.overrides = { 'rpc.laddr': 'x' }), /spec.overrides: Invalid value: .*must not set mode, rpc.laddr, p2p.laddr, p2p.persistent-peers/],
    [
      'state sync with one RPC server',
      (o) => (o.spec.bootstrap = { stateSync: { rpcServers: ['https://rpc.example'], trustPeriod: '168h', trustHeightOffset: 2000 } }),
      /spec.bootstrap.stateSync: Invalid value: .*spec.bootstrap.stateSync.rpcServers needs at least 2 RPC servers/,
    ],
    [
      'state sync RPC server not an http(s) URL',
      (o) => (o.spec.bootstrap.stateSync.rpcServers = ['https://a.example', 'tcp://b.example:26657']),
      /spec.bootstrap.stateSync.rpcServers\[1\]: Invalid value: "tcp:\/\/b.example:26657"/,
    ],
    ['trust period not a duration', (o) => (o.spec.bootstrap.stateSync.trustPeriod = '7 days'), /spec.bootstrap.stateSync.trustPeriod: Invalid value: "7 days"/],
    ['two bootstraps', (o) => (o.spec.bootstrap.none = {}), /spec.bootstrap: Invalid value: .*exactly one of spec.bootstrap.stateSync, spec.bootstrap.snapshot, spec.bootstrap.none/],
    ['snapshot sha256 not hex', (o) => (o.spec.bootstrap = { snapshot: { url: 'https://s.example/a.tar', sha256: 'xyz' } }), /spec.bootstrap.snapshot.sha256: Invalid value: "xyz"/],
    ['p2p Service type', (o) => (o.spec.p2pService = { type: 'ClusterIP' }), /spec.p2pService.type: Unsupported value: "ClusterIP"/],
    ['lookup peer without port', (o) => (o.spec.lookupPeers = ['sentry-0.sei.svc']), /spec.lookupPeers\[0\]: Invalid value: "sentry-0.sei.svc"/],
    ['node ID not 40 hex', (o) => (o.spec.nodeId = 'sentry-0'), /spec.nodeId: Invalid value: "sentry-0"/],
    ['external address without port', (o) => (o.spec.externalAddress = 'rpc.example'), /spec.externalAddress: Invalid value: "rpc.example"/],
    ['reserved pod label', (o) => (o.spec.podLabels = { 'sei.io/node': 'x' }), /spec.podLabels: Invalid value: .*must not set sei.io\/ or app.kubernetes.io\//],
    ['pod label value', (o) => (o.spec.podLabels = { team: 'a b' }), /spec.podLabels.team: Invalid value: "a b"/],
    ['update strategy enum', (o) => (o.spec.updateStrategy = 'Recreate'), /spec.updateStrategy: Unsupported value: "Recreate"/],
    ['missing image', (o) => delete o.spec.image, /spec.image: Required value/],
    ['name too long for derived objects', (o) => (o.metadata.name = `n${'x'.repeat(52)}`), /metadata.name must be a DNS-1035 label of at most 52/],
    ['name not a DNS-1035 label', (o) => (o.metadata.name = '0rpc'), /metadata.name must be a DNS-1035 label/],
  ];

  it.each(cases)('%s', async (_, mutate, message) => {
    const node = good();
    mutate(node);
    const r = await kubectl([...ARGO, '-f', '-'], { input: toYaml([node]) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('accepts the unmutated node (so the rejections above are the mutations)', async () => {
    expect((await kubectl([...ARGO, '-f', '-'], { input: toYaml([good()]) })).code).toBe(0);
  });
});

describe('the largest genesis ConfigMap (arctic-1, 836 KB of JSON) applies server-side and client-side', () => {
  const ns = useNamespace('genesis');
  /** Annotations of an object together may hold 256 KiB (apimachinery's TotalAnnotationSizeLimitB). */
  const ANNOTATIONS_LIMIT = 256 * 1024;
  const arcticGenesis = () =>
    synthFleet({
      namespace: ns.name,
      nodes: [{ name: 'devnet-0', chainId: 'arctic-1', image: 'ghcr.io/sei-protocol/sei:v6.1.0', allowImageTag: true, fullNode: {}, bootstrap: { none: {} } }],
    }).find((o) => o.kind === 'ConfigMap')!;

  it.each([
    ['server-side (Argo CD)', ARGO],
    ['client-side (kubectl apply; Argo CD without ServerSideApply)', CLIENT_SIDE],
  ])('%s', async (_, verb) => {
    const map = arcticGenesis();
    map.metadata.name = `genesis-arctic-1-${verb === ARGO ? 'ssa' : 'csa'}`;
    const r = await kubectl([...verb, '-f', '-'], { input: toYaml([map]) });
    expect(r.stderr).toBe('');
    const live = JSON.parse(await kubectlOk(['get', 'configmap', map.metadata.name, '-n', ns.name, '-o', 'json']));
    expect(live.binaryData['genesis.json.gz']).toBe((map as any).binaryData['genesis.json.gz']);
    const annotations = JSON.stringify(live.metadata.annotations ?? {}).length;
    expect(annotations).toBeLessThan(ANNOTATIONS_LIMIT);
    if (verb === CLIENT_SIDE) {
      // The whole object is in last-applied-configuration: ~140 KB of base64, about half the limit.
      expect(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'].length).toBeGreaterThan(100_000);
      // Re-applying is a no-op.
      expect((await kubectlOk([...verb, '-f', '-'], { input: toYaml([map]) })).trim()).toMatch(/unchanged$/);
    }
  });

  it('the same genesis uncompressed (what gzip avoids) is refused by client-side apply: the annotation is too long', async () => {
    const map = arcticGenesis();
    const json = gunzipSync(Buffer.from((map as any).binaryData['genesis.json.gz'], 'base64')).toString('utf8');
    const raw = { ...map, metadata: { ...map.metadata, name: 'genesis-arctic-1-raw' }, binaryData: undefined, data: { 'genesis.json': json } } as Manifest;
    delete (raw as any).binaryData;
    const r = await kubectl([...CLIENT_SIDE, '-f', '-'], { input: toYaml([raw]) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/metadata.annotations: Too long: .*262144/);
  });
});

const withControllers = hasControllerManager() ? describe : describe.skip;

withControllers(`pause end to end (StatefulSet controller running)${controllerManagerSkipReason()}`, () => {
  const ns = useNamespace('pause');
  const node = (paused: boolean): SeiNodeProps => ({
    name: 'pausable',
    chainId: 'atlantic-2',
    image: 'ghcr.io/sei-protocol/sei:v6.1.0',
    allowImageTag: true,
    fullNode: {},
    bootstrap: { none: {} },
    paused,
  });
  const apply = (paused: boolean) => argoSync(ns.name, synthFleet({ namespace: ns.name, nodes: [node(paused)] }));
  const pod = async () => (await kubectl(['get', 'pod', 'pausable-0', '-n', ns.name, '-o', 'name'])).code === 0;

  it('running → a Pod object; paused (replicas 0) → none; unpaused → back', async () => {
    await apply(false);
    await eventually('pod pausable-0 to be created', pod, 60_000);
    await apply(true);
    expect(JSON.parse(await kubectlOk(['get', 'sts', 'pausable', '-n', ns.name, '-o', 'json'])).spec.replicas).toBe(0);
    await eventually('pod pausable-0 to be deleted', async () => !(await pod()), 60_000);
    await apply(false);
    await eventually('pod pausable-0 to come back', pod, 60_000);
  }, 200_000);
});
