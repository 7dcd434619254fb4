import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION } from '../../../src/contract.js';
import { SEINODE_MODES, type SeiNodeMode } from '../../../src/constructs/seinode-crd.js';
import { MODE_DEFAULTS } from '../../../src/constructs/seinode-defaults.js';
import type { SeiNodeProps } from '../../../src/constructs/seinode.js';
import { fingerprintOf } from '../../../src/lib/fingerprint.js';
import { IMAGE, PEER_ID, baseProps, renderNode } from './render.js';

const modeProps = (mode: SeiNodeMode, over: Partial<SeiNodeProps> = {}): SeiNodeProps =>
  ({ name: `${mode.toLowerCase()}-0`, chainId: 'atlantic-2', image: IMAGE, [mode]: {}, ...over }) as SeiNodeProps;

describe('snapshots: every rendered object, each mode, paused and running', () => {
  const cases = SEINODE_MODES.flatMap((mode) => [false, true].map((paused) => [mode, paused] as const));
  it.each(cases)('%s, paused=%s', (mode, paused) => {
    expect(renderNode(modeProps(mode, { paused })).objects).toMatchSnapshot();
  });

  it('validator with key Secrets, peers, overrides and pod labels', () => {
    const rendered = renderNode(
      modeProps('validator', {
        validator: { signingKeySecret: 'val-signing', nodeKeySecret: 'val-node' },
        peers: [`${PEER_ID}@b.sei.svc:26656`, `${PEER_ID}@a.sei.svc:26656`],
        overrides: { 'p2p.pex': 'false', 'evm.http_port': '8545' },
        podLabels: { team: 'validators' },
        storage: { size: '4Ti', storageClassName: 'fast-nvme' },
        resources: { requests: { cpu: '32' }, limits: { memory: '128Gi' } },
        updateStrategy: 'OnDelete',
      }),
    );
    expect(rendered.objects).toMatchSnapshot();
  });
});

describe('the contract of DESIGN §2', () => {
  it('renders exactly the four objects, all named from the node name', () => {
    const { objects, seiNode, service, claim, statefulSet } = renderNode(baseProps({ name: 'rpc-7' }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'PersistentVolumeClaim/sei/data-rpc-7',
      'SeiNode/sei/rpc-7',
      'Service/sei/rpc-7',
      'StatefulSet/sei/rpc-7',
    ]);
    expect(seiNode.apiVersion).toBe('sei.io/v1alpha1');
    expect(service.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, selector: { 'sei.io/node': 'rpc-7' } });
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(statefulSet.spec.serviceName).toBe('rpc-7');
    expect(statefulSet.spec.template.spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'data-rpc-7' } });
    expect(statefulSet.spec.volumeClaimTemplates).toBeUndefined();
  });

  it('prune- and delete-protects the PVC for Argo CD and Flux, and Flux only ever creates it (never force-recreates it)', () => {
    expect(renderNode(baseProps()).claim.metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
      'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent',
    });
  });

  it('injects nothing cdk8s-plus would: no metadata.addr label, no imagePullPolicy, no 2Gi/1500m limits', () => {
    for (const mode of SEINODE_MODES) {
      const { objects, statefulSet } = renderNode(modeProps(mode));
      const text = JSON.stringify(objects);
      expect(text).not.toContain('cdk8s.io');
      expect(text).not.toContain('imagePullPolicy');
      expect(text).not.toContain('1500m');
      expect(text).not.toContain('readOnlyRootFilesystem');
      const seid = statefulSet.spec.template.spec.containers[0];
      expect(seid.resources).toEqual({ requests: MODE_DEFAULTS[mode].requests, limits: MODE_DEFAULTS[mode].limits });
      expect(Object.keys(statefulSet.spec).sort()).toEqual(
        ['podManagementPolicy', 'replicas', 'selector', 'serviceName', 'template', 'updateStrategy'],
      );
    }
  });

  it('runs seid non-root without privilege escalation or capabilities', () => {
    const pod = renderNode(baseProps()).statefulSet.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532 });
    for (const c of [...pod.initContainers, ...pod.containers])
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true });
  });

  it('passes peers and overrides to seid as sorted SEID_* variables', () => {
    const { statefulSet } = renderNode(
      baseProps({ peers: [`${PEER_ID}@z.sei.svc:26656`, `${PEER_ID}@a.sei.svc:26656`], overrides: { 'p2p.pex': 'false', 'evm.http_port': '9545' } }),
    );
    const env = statefulSet.spec.template.spec.containers[0].env as { name: string; value: string }[];
    expect(env.map((e) => e.name)).toEqual([...env.map((e) => e.name)].sort());
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'SEID_P2P_PERSISTENT_PEERS', value: `${PEER_ID}@a.sei.svc:26656,${PEER_ID}@z.sei.svc:26656` },
        { name: 'SEID_P2P_PEX', value: 'false' },
        { name: 'SEID_EVM_HTTP_PORT', value: '9545' },
        { name: 'SEID_MODE', value: 'full' },
      ]),
    );
  });

  it('archive nodes do not prune; validators and seeds run in their seid mode', () => {
    const envOf = (mode: SeiNodeMode) =>
      Object.fromEntries(
        renderNode(modeProps(mode)).statefulSet.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]),
      );
    expect(envOf('archive')).toMatchObject({
      SEID_PRUNING: 'nothing',
      SEID_STATE_STORE_SS_ENABLE: 'true',
      SEID_STATE_STORE_SS_KEEP_RECENT: '0',
      SEID_MODE: 'full',
    });
    expect(envOf('validator').SEID_MODE).toBe('validator');
    expect(envOf('seed').SEID_MODE).toBe('seed');
    expect(envOf('fullNode').SEID_PRUNING).toBeUndefined();
  });
});

/** Arbitrary valid props: the property tests below hold for all of them. */
const validProps: fc.Arbitrary<SeiNodeProps> = fc
  .record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,50}[a-z0-9]$/),
    chainId: fc.constantFrom('pacific-1', 'atlantic-2', 'arctic-1'),
    mode: fc.constantFrom(...SEINODE_MODES),
    paused: fc.option(fc.boolean(), { nil: undefined }),
    peers: fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{40}@[a-z]{1,8}\.sei\.svc:2665[0-9]$/), { maxLength: 4 }),
    overrides: fc.dictionary(fc.stringMatching(/^p2p\.[a-z]{1,8}$/), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  })
  .map(({ mode, ...rest }) => ({ ...rest, image: IMAGE, [mode]: {} }) as SeiNodeProps);

describe('properties of every valid node', () => {
  it('names, selector, replicas and fingerprint follow the contract', () => {
    fc.assert(
      fc.property(validProps, (props) => {
        const { service, claim, statefulSet, seiNode } = renderNode(props);
        expect(service.metadata.name).toBe(props.name);
        expect(claim.metadata.name).toBe(`data-${props.name}`);
        expect(statefulSet.metadata.name).toBe(props.name);
        expect(statefulSet.spec.selector).toEqual({ matchLabels: { 'sei.io/node': props.name } });
        expect(statefulSet.spec.replicas).toBe(props.paused ? 0 : 1);
        expect(statefulSet.spec.template.metadata.labels['sei.io/node']).toBe(props.name);
        const fingerprint = statefulSet.metadata.annotations[FINGERPRINT_ANNOTATION];
        expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(fingerprint).toBe(fingerprintOf(statefulSet));
        expect(seiNode.metadata.annotations[EXPECTED_FINGERPRINT_ANNOTATION]).toBe(fingerprint);
        expect(seiNode.spec.paused).toBe(props.paused ?? false);
        for (const o of [service, claim, statefulSet, seiNode])
          expect(o.metadata.labels).toMatchObject({ 'sei.io/node': props.name, 'sei.io/chain': props.chainId });
      }),
      { numRuns: 60 },
    );
  });

  it('the order peers and overrides are written in changes nothing', () => {
    fc.assert(
      fc.property(validProps, (props) => {
        const reversed = {
          ...props,
          peers: [...(props.peers ?? [])].reverse(),
          overrides: Object.fromEntries(Object.entries(props.overrides ?? {}).reverse()),
        };
        expect(renderNode(reversed).objects).toEqual(renderNode(props).objects);
      }),
      { numRuns: 30 },
    );
  });
});

describe('the fingerprint changes when, and only when, the rendered StatefulSet changes', () => {
  const fp = (props: SeiNodeProps) => renderNode(props).statefulSet.metadata.annotations[FINGERPRINT_ANNOTATION];
  const base = baseProps();

  it('is the same for the same input', () => expect(fp(baseProps())).toBe(fp(base)));

  it.each<[string, Partial<SeiNodeProps>]>([
    ['image', { image: `${IMAGE}-rc1` }],
    ['paused', { paused: true }],
    ['peers', { peers: [`${PEER_ID}@a.sei.svc:26656`] }],
    ['overrides', { overrides: { 'p2p.pex': 'false' } }],
    ['podLabels', { podLabels: { team: 'x' } }],
    ['resources', { resources: { requests: { cpu: '9' } } }],
    ['mode', { fullNode: undefined, archive: {} }],
    ['updateStrategy', { updateStrategy: 'OnDelete' }],
    ['chainId', { chainId: 'atlantic-2' }],
  ])('changes with %s', (_, over) => expect(fp(baseProps(over))).not.toBe(fp(base)));

  it.each<[string, Partial<SeiNodeProps>]>([
    ['storage size (PVC only)', { storage: { size: '9Ti' } }],
    ['storage class (PVC only)', { storage: { storageClassName: 'fast' } }],
    ['paused: false written out', { paused: false }],
    ['updateStrategy: RollingUpdate written out', { updateStrategy: 'RollingUpdate' }],
  ])('does not change with %s', (_, over) => expect(fp(baseProps(over))).toBe(fp(base)));

  it('leaves the fingerprint annotation (and an emptied annotations map) out of what it hashes', () => {
    const { statefulSet } = renderNode(base);
    const bare = structuredClone(statefulSet);
    delete bare.metadata.annotations;
    expect(fingerprintOf(bare)).toBe(fingerprintOf(statefulSet));
    expect(fingerprintOf({ ...bare, metadata: { ...bare.metadata, annotations: { other: 'x' } } })).not.toBe(
      fingerprintOf(statefulSet),
    );
  });

  it('pins the hash algorithm: SHA-256 of RFC 8785 canonical JSON', () => {
    // sha256('{"a":1,"b":[true,"x"]}') — computed independently with `printf %s '…' | sha256sum`.
    expect(fingerprintOf({ b: [true, 'x'], a: 1 })).toBe('63e8063d9dc6f0fd5a24b4706818a165fd57c3531b74466cf5dea62bff09b0b6');
  });
});
