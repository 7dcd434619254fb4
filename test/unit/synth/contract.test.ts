import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION } from '../../../src/contract.js';
import { SEINODE_MODES, type SeiNodeMode } from '../../../src/constructs/seinode-crd.js';
import { MODE_DEFAULTS } from '../../../src/constructs/seinode-defaults.js';
import type { SeiNodeProps } from '../../../src/constructs/seinode.js';
import { fingerprintOf } from '../../../src/lib/fingerprint.js';
import { IMAGE, PEER_ID, RPC_SERVERS, baseProps, renderNode } from './render.js';

/** Each mode with the bootstrap it would use on a public chain: state sync, a snapshot for an archive, none for a seed. */
const MODE_BOOTSTRAP: Record<SeiNodeMode, SeiNodeProps['bootstrap']> = {
  fullNode: { stateSync: { rpcServers: RPC_SERVERS } },
  validator: { stateSync: { rpcServers: RPC_SERVERS } },
  archive: { snapshot: { url: 'https://snapshots.example/atlantic-2.tar.gz', sha256: 'cd'.repeat(32) } },
  seed: undefined,
};
const modeProps = (mode: SeiNodeMode, over: Partial<SeiNodeProps> = {}): SeiNodeProps =>
  ({
    name: `${mode.toLowerCase()}-0`,
    chainId: 'atlantic-2',
    image: IMAGE,
    [mode]: {},
    ...(MODE_BOOTSTRAP[mode] ? { bootstrap: MODE_BOOTSTRAP[mode] } : {}),
    ...over,
  }) as SeiNodeProps;

/** Objects for a snapshot: a genesis ConfigMap's 92 KB of base64 is summarised (genesis.test.ts checks the bytes). */
const forSnapshot = (objects: any[]) =>
  objects.map((o) =>
    o.kind === 'ConfigMap' && o.binaryData
      ? {
          ...o,
          binaryData: Object.fromEntries(
            Object.entries(o.binaryData).map(([k, v]) => [k, `<${(v as string).length} base64 chars, sha256 ${createHash('sha256').update(v as string).digest('hex')}>`]),
          ),
        }
      : o,
  );

describe('snapshots: every rendered object, each mode, paused and running', () => {
  const cases = SEINODE_MODES.flatMap((mode) => [false, true].map((paused) => [mode, paused] as const));
  it.each(cases)('%s, paused=%s', (mode, paused) => {
    expect(forSnapshot(renderNode(modeProps(mode, { paused })).objects)).toMatchSnapshot();
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
    expect(forSnapshot(rendered.objects)).toMatchSnapshot();
  });
});

describe('the contract of DESIGN §2', () => {
  it('renders the four objects named from the node name, and the chain\'s genesis ConfigMap', () => {
    const { objects, seiNode, service, claim, statefulSet } = renderNode(baseProps({ name: 'rpc-7' }));
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/sei/genesis-pacific-1',
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
      const { cpu, memory } = MODE_DEFAULTS[mode];
      expect(seid.resources).toEqual({ requests: { cpu, memory }, limits: { memory } });
      expect(Object.keys(statefulSet.spec).sort()).toEqual(
        ['podManagementPolicy', 'replicas', 'selector', 'serviceName', 'template', 'updateStrategy'],
      );
    }
  });

  it('renders no empty env value: the API server drops it, and client-side apply would then re-apply forever', () => {
    for (const mode of SEINODE_MODES) {
      const pod = renderNode(modeProps(mode, { bootstrap: mode === 'seed' ? undefined : mode === 'archive' ? { snapshot: { url: 'https://s.example/a.tar' } } : MODE_BOOTSTRAP[mode] })).statefulSet.spec.template.spec;
      for (const c of [...pod.initContainers, ...pod.containers]) for (const e of c.env) expect([c.name, e.name, e.value]).toEqual([c.name, e.name, expect.stringMatching(/./)]);
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

  it('modes get the Sei operator\'s settings: archives keep everything, validators serve nothing, seeds run as seeds', () => {
    const envOf = (mode: SeiNodeMode) =>
      Object.fromEntries(
        renderNode(modeProps(mode)).statefulSet.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]),
      );
    // SeiDB's state store only works with state commit on; v6.1.0's template has both off.
    expect(envOf('archive')).toMatchObject({
      SEID_PRUNING: 'nothing',
      SEID_MIN_RETAIN_BLOCKS: '0',
      SEID_STATE_COMMIT_SC_ENABLE: 'true',
      SEID_STATE_STORE_SS_ENABLE: 'true',
      SEID_STATE_STORE_SS_KEEP_RECENT: '0',
      SEID_MODE: 'full',
    });
    expect(envOf('fullNode')).toMatchObject({ SEID_PRUNING: 'custom', SEID_MIN_RETAIN_BLOCKS: '100000', SEID_CONCURRENCY_WORKERS: '500' });
    expect(envOf('validator')).toMatchObject({
      SEID_MODE: 'validator',
      SEID_API_ENABLE: 'false',
      SEID_EVM_HTTP_ENABLED: 'false',
      SEID_EVM_WS_ENABLED: 'false',
      SEID_P2P_PEX: 'false',
    });
    expect(envOf('seed')).toMatchObject({ SEID_MODE: 'seed', SEID_GRPC_ENABLE: 'false', SEID_P2P_MAX_CONNECTIONS: '1000' });
  });

  it('memory request = limit per mode (the Sei operator\'s sizes), CPU request only; one memory given sets both', () => {
    const res = (mode: SeiNodeMode, over: Partial<SeiNodeProps> = {}) =>
      renderNode(modeProps(mode, over)).statefulSet.spec.template.spec.containers[0].resources;
    expect(res('validator')).toEqual({ requests: { cpu: '16', memory: '128Gi' }, limits: { memory: '128Gi' } });
    expect(res('fullNode')).toEqual({ requests: { cpu: '32', memory: '256Gi' }, limits: { memory: '256Gi' } });
    expect(res('archive')).toEqual({ requests: { cpu: '64', memory: '512Gi' }, limits: { memory: '512Gi' } });
    expect(res('seed')).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } });
    expect(res('seed', { resources: { requests: { memory: '3Gi' } } })).toEqual({ requests: { cpu: '1', memory: '3Gi' }, limits: { memory: '3Gi' } });
    expect(res('seed', { resources: { limits: { memory: '4Gi' } } })).toEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '4Gi' } });
  });

  it('probes: a chain follower is ready on /lag_status and lives while RPC accepts; a seed on p2p; a day to start', () => {
    const seid = (mode: SeiNodeMode) => renderNode(modeProps(mode)).statefulSet.spec.template.spec.containers[0];
    for (const mode of ['fullNode', 'archive', 'validator'] as const) {
      const c = seid(mode);
      expect(c.readinessProbe.httpGet).toEqual({ path: '/lag_status', port: 'rpc' });
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 'rpc' });
      expect(c.startupProbe.tcpSocket).toEqual({ port: 'rpc' });
      expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(24 * 3600);
      // The probes name container ports: each must exist on the container.
      expect(c.ports.map((p: any) => p.name)).toContain('rpc');
    }
    const seed = seid('seed');
    for (const probe of [seed.readinessProbe, seed.livenessProbe, seed.startupProbe]) expect(probe.tcpSocket).toEqual({ port: 'p2p' });
    expect(seed.readinessProbe.httpGet).toBeUndefined();
  });

  it('a validator publishes only p2p and metrics: on its Service, and through a NetworkPolicy', () => {
    const { service, objects } = renderNode(modeProps('validator'));
    expect(service.spec.ports.map((p: any) => p.name)).toEqual(['p2p', 'metrics']);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].spec).toEqual({
      podSelector: { matchLabels: { 'sei.io/node': 'validator-0' } },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 'p2p', protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }] }],
    });
    expect(renderNode(modeProps('fullNode')).objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(renderNode(modeProps('fullNode')).service.spec.ports.map((p: any) => p.name)).toContain('rpc');
  });

  it('peers to look up move every persistent peer from the environment to the init step (env would win over the file)', () => {
    const { statefulSet } = renderNode(modeProps('fullNode', { peers: [`${PEER_ID}@a.sei.svc:26656`], lookupPeers: ['b.sei.svc:26657'] }));
    const pod = statefulSet.spec.template.spec;
    expect(pod.containers[0].env.map((e: any) => e.name)).not.toContain('SEID_P2P_PERSISTENT_PEERS');
    expect(pod.initContainers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'LOOKUP_PEERS', value: 'b.sei.svc:26657' },
        { name: 'STATIC_PEERS', value: `${PEER_ID}@a.sei.svc:26656` },
      ]),
    );
  });

  it('a p2p Service only when asked: the p2p port, Local traffic policy, unready nodes included', () => {
    expect(renderNode(modeProps('seed')).objects.filter((o) => o.metadata.name === 'seed-0-p2p')).toEqual([]);
    const { objects } = renderNode(modeProps('seed', { p2pService: { type: 'NodePort', nodePort: 30656, annotations: { 'b.example/x': '1', 'a.example/y': '2' } } }));
    const svc = objects.find((o) => o.metadata.name === 'seed-0-p2p')!;
    expect(svc.metadata.annotations).toEqual({ 'a.example/y': '2', 'b.example/x': '1' });
    expect(svc.spec).toEqual({
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      publishNotReadyAddresses: true,
      selector: { 'sei.io/node': 'seed-0' },
      ports: [{ name: 'p2p', port: 26656, targetPort: 'p2p', protocol: 'TCP', nodePort: 30656 }],
    });
  });

  it('a seed gets GOMEMLIMIT at 87% of its memory limit (as the Sei operator sets it); chain followers do not', () => {
    const env = (mode: SeiNodeMode, over: Partial<SeiNodeProps> = {}) =>
      Object.fromEntries(renderNode(modeProps(mode, over)).statefulSet.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env('seed').GOMEMLIMIT).toBe(`${Math.floor(2 * 2 ** 30 * 0.87)}B`);
    expect(env('seed', { resources: { limits: { memory: '4Gi' } } }).GOMEMLIMIT).toBe(`${Math.floor(4 * 2 ** 30 * 0.87)}B`);
    expect(env('fullNode').GOMEMLIMIT).toBeUndefined();
  });

  it('state sync: seid gets the servers, the trust period and a temp dir on the data volume; the init step the rest', () => {
    const { statefulSet, seiNode } = renderNode(modeProps('fullNode'));
    const pod = statefulSet.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      SEID_STATESYNC_ENABLE: 'true',
      SEID_STATESYNC_RPC_SERVERS: RPC_SERVERS.join(','),
      SEID_STATESYNC_TRUST_PERIOD: '168h',
      SEID_STATESYNC_TEMP_DIR: '/sei/tmp',
      TMPDIR: '/sei/tmp',
    });
    expect(env.SEID_STATESYNC_TRUST_HEIGHT).toBeUndefined();
    const initEnv = Object.fromEntries(pod.initContainers[0].env.map((e: any) => [e.name, e.value]));
    expect(initEnv).toMatchObject({ STATESYNC_RPC_SERVERS: RPC_SERVERS.join(','), TRUST_HEIGHT_OFFSET: '2000' });
    expect(seiNode.spec.bootstrap).toEqual({ stateSync: { rpcServers: RPC_SERVERS, trustPeriod: '168h', trustHeightOffset: 2000 } });
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
    overrides: fc.dictionary(
      fc.constantFrom('p2p.pex', 'p2p.max-connections', 'p2p.send-rate', 'mempool.size', 'evm.http_port', 'log-level'),
      fc.string({ maxLength: 8 }),
      { maxKeys: 3 },
    ),
  })
  .map(({ mode, ...rest }) => ({ ...rest, image: IMAGE, [mode]: {}, bootstrap: { none: {} } }) as SeiNodeProps);

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
    ['image', { image: IMAGE.replace(/ab$/, 'cd') }],
    ['paused', { paused: true }],
    ['peers', { peers: [`${PEER_ID}@a.sei.svc:26656`] }],
    ['overrides', { overrides: { 'p2p.pex': 'false' } }],
    ['podLabels', { podLabels: { team: 'x' } }],
    ['resources', { resources: { requests: { cpu: '9' } } }],
    ['mode', { fullNode: undefined, archive: {} }],
    ['updateStrategy', { updateStrategy: 'OnDelete' }],
    ['chainId', { chainId: 'atlantic-2' }],
    ['bootstrap', { bootstrap: { stateSync: { rpcServers: RPC_SERVERS } } }],
    ['bootstrapPeers', { bootstrapPeers: [`${PEER_ID}@seed.example:26656`] }],
    ['externalAddress', { externalAddress: 'rpc-0.example:26656' }],
    ['nodeKeySecret', { nodeKeySecret: 'rpc-0-node-key' }],
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
