import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, type IConstruct } from 'constructs';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION, dataClaimName } from '../contract.js';
import { SeiNode as SeiNodeObject, type SeiNodeSpec, SeiNodeSpecP2PServiceType, SeiNodeSpecUpdateStrategy } from '../../imports/sei.io.js';
import { fingerprintOf } from '../lib/fingerprint.js';
import { quantityValue } from '../lib/quantity.js';
import { dataClaimGitOpsAnnotations, seiNodeGitOpsAnnotations } from '../lib/gitops.js';
import { nodeLabels, selectorLabels } from '../lib/labels.js';
import { KNOWN_CHAINS } from '../lib/chains.js';
import { GENESIS_GZIP_KEY, INIT_ENV, INIT_MOUNTS, SEID_TMP, initScript } from '../lib/init-script.js';
import { persistentPeers, seidEnv } from '../lib/seid-env.js';
import {
  BASE_SETTINGS,
  INIT_RESOURCES,
  MODE_DEFAULTS,
  NONROOT_ID,
  PROBE_TIMING,
  SEID_HOME,
  SEID_PORTS,
} from './seinode-defaults.js';
import { SeiGenesis } from './sei-genesis.js';
import { bootstrapOf, modeOf, propErrors, resourceErrors, type SeiNodeProps } from './seinode-props.js';

export type { SeiNodeProps } from './seinode-props.js';

/** A StatefulSet that annotates itself with the fingerprint of what it renders (DESIGN §2), computed at synth. */
class FingerprintedStatefulSet extends k8s.KubeStatefulSet {
  /** The fingerprint of the StatefulSet as rendered; the annotation itself is left out of what is hashed. */
  public fingerprint(): string {
    return fingerprintOf(super.toJson());
  }

  public override toJson(): any {
    const json = super.toJson();
    json.metadata.annotations = { ...json.metadata.annotations, [FINGERPRINT_ANNOTATION]: fingerprintOf(json) };
    return json;
  }
}

/** A SeiNode object that carries the fingerprint of the StatefulSet rendered beside it, for the reconciler. */
class SeiNodeWithExpectedFingerprint extends SeiNodeObject {
  constructor(
    scope: Construct,
    id: string,
    props: ConstructorParameters<typeof SeiNodeObject>[2],
    private readonly statefulSet: FingerprintedStatefulSet,
  ) {
    super(scope, id, props);
  }

  public override toJson(): any {
    const json = super.toJson();
    json.metadata.annotations = {
      ...json.metadata.annotations,
      [EXPECTED_FINGERPRINT_ANNOTATION]: this.statefulSet.fingerprint(),
    };
    return json;
  }
}

/** Node names already used per namespace, per app: two nodes of one name would render one StatefulSet twice. */
const namesInUse = new WeakMap<IConstruct, Set<string>>();

const quantities = (r: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));

/**
 * One Sei node as Argo CD / Flux should see it: the SeiNode object, a headless Service, the data PVC and the
 * StatefulSet, all named from `props.name` and nothing else (DESIGN §2).
 */
export class SeiNode extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly object: SeiNodeObject;
  public readonly service: k8s.KubeService;
  public readonly dataClaim: k8s.KubePersistentVolumeClaim;
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The `<name>-p2p` Service, when `p2pService` asks for one. */
  public readonly p2pService?: k8s.KubeService;
  /** A validator's NetworkPolicy: only p2p and metrics come in (its RPC listens on 0.0.0.0 for the kubelet). */
  public readonly networkPolicy?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: SeiNodeProps) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const where = `SeiNode ${namespace ?? '<no namespace>'}/${props.name || '<no name>'}`;
    const errors = propErrors(props, namespace);
    if (errors.length === 0) {
      const inUse = namesInUse.get(this.node.root) ?? new Set<string>();
      namesInUse.set(this.node.root, inUse);
      const key = `${namespace}/${props.name}`;
      if (inUse.has(key)) errors.push(`name: another SeiNode named ${q(props.name)} already exists in namespace ${q(namespace)}`);
      inUse.add(key);
    }
    const mode = errors.length === 0 ? modeOf(props) : undefined;
    const defaults = mode && MODE_DEFAULTS[mode];
    // Memory request = limit unless both are given: one given alone sets both.
    const given = props.resources ?? {};
    const memory = given.requests?.memory ?? given.limits?.memory ?? defaults?.memory;
    const requests: Record<string, string> = {
      ...(defaults ? { cpu: given.requests?.cpu ?? defaults.cpu, memory: memory! } : {}),
    };
    const limits: Record<string, string> = {
      ...(given.limits?.cpu ? { cpu: given.limits.cpu } : {}),
      ...(defaults ? { memory: given.limits?.memory ?? memory! } : {}),
    };
    if (defaults) errors.push(...resourceErrors(requests, limits));
    if (errors.length > 0) throw new Error(`${where}: invalid props:\n  - ${errors.join('\n  - ')}`);

    this.name = props.name;
    this.namespace = namespace!;
    const { role, seidMode, settings, storage, servicePorts } = defaults!;
    const labels = nodeLabels(props.name, props.chainId, role);
    const metadata = (name: string, annotations?: Record<string, string>) => ({
      name,
      namespace: this.namespace,
      labels,
      ...(annotations ? { annotations } : {}),
    });
    const paused = props.paused ?? false;
    const updateStrategy = props.updateStrategy ?? 'RollingUpdate';
    const peers = [...new Set(props.peers ?? [])].sort();
    const overrides = sortedRecord(props.overrides ?? {});
    const podLabels = sortedRecord(props.podLabels ?? {});
    const storageSize = props.storage?.size ?? storage;
    const keys = props.validator?.signingKeySecret
      ? { signing: props.validator.signingKeySecret, node: props.validator.nodeKeySecret! }
      : undefined;
    const nodeKeySecret = keys?.node ?? props.nodeKeySecret;
    const privatePeerIds = [...new Set(props.privatePeerIds ?? [])].sort();
    const unconditionalPeerIds = [...new Set(props.unconditionalPeerIds ?? [])].sort();
    const bootstrap = bootstrapOf(props);
    const stateSync = props.bootstrap?.stateSync;
    const bootstrapPeers = [...new Set(props.bootstrapPeers ?? [])].sort();
    const lookupPeers = [...new Set(props.lookupPeers ?? [])].sort();
    const known = KNOWN_CHAINS[props.chainId];
    const genesis = known
      ? { source: `${INIT_MOUNTS.genesis}/${GENESIS_GZIP_KEY}`, sha256: SeiGenesis.of(this, props.chainId, this.namespace).sha256 }
      : { source: props.genesis!.url, sha256: props.genesis!.sha256 };

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: metadata(props.name),
      spec: {
        clusterIp: 'None',
        // Peers and operators must reach a node that is still catching up (unready) by its stable DNS name.
        publishNotReadyAddresses: true,
        selector: selectorLabels(props.name),
        ports: SEID_PORTS.filter((p) => servicePorts.includes(p.name)).map(({ name, containerPort }) => ({
          name,
          port: containerPort,
          targetPort: k8s.IntOrString.fromString(name),
          protocol: 'TCP',
        })),
      },
    });

    this.dataClaim = new k8s.KubePersistentVolumeClaim(this, 'Data', {
      metadata: metadata(dataClaimName(props.name), dataClaimGitOpsAnnotations()),
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(props.storage?.storageClassName ? { storageClassName: props.storage.storageClassName } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(storageSize) } },
      },
    });

    const env = [
      ...seidEnv({
        ...BASE_SETTINGS,
        ...settings,
        ...overrides,
        mode: seidMode,
        // With peers to look up, the init step writes every persistent peer into config.toml (env would win over it).
        ...(peers.length > 0 && lookupPeers.length === 0 ? { 'p2p.persistent-peers': persistentPeers(peers) } : {}),
        ...(bootstrapPeers.length > 0 ? { 'p2p.bootstrap-peers': persistentPeers(bootstrapPeers) } : {}),
        ...(props.externalAddress ? { 'p2p.external-address': props.externalAddress } : {}),
        ...(privatePeerIds.length > 0 ? { 'p2p.private-peer-ids': privatePeerIds.join(',') } : {}),
        ...(unconditionalPeerIds.length > 0 ? { 'p2p.unconditional-peer-ids': unconditionalPeerIds.join(',') } : {}),
        // trust-height and trust-hash are looked up at first boot and written into config.toml by the init step.
        ...(stateSync
          ? {
              'statesync.enable': 'true',
              'statesync.rpc-servers': stateSync.rpcServers.join(','),
              'statesync.temp-dir': SEID_TMP,
              'statesync.trust-period': stateSync.trustPeriod ?? '168h',
            }
          : {}),
      }),
      // Go's os.TempDir: keep any other temp file on the data volume too, not the container's small writable layer.
      { name: 'TMPDIR', value: SEID_TMP },
      // A seed (no RPC): a soft heap cap at 87% of the memory limit, as the Sei operator sets it
      // (sei-k8s-controller 2d670ad goMemLimitEnv): with request = limit, heap growth would be an OOM kill.
      ...(seidMode === 'seed' ? [{ name: 'GOMEMLIMIT', value: `${Math.floor((quantityValue(limits.memory) * 87) / 100)}B` }] : []),
    ];
    const initEnv = [
      { name: INIT_ENV.chainId, value: props.chainId },
      { name: INIT_ENV.moniker, value: props.name },
      { name: INIT_ENV.genesisSha256, value: genesis.sha256 },
      { name: INIT_ENV.genesisSource, value: genesis.source },
      ...(props.nodeId ? [{ name: INIT_ENV.nodeId, value: props.nodeId }] : []),
      ...(props.maxLagBlocks !== undefined ? [{ name: INIT_ENV.lagThreshold, value: String(props.maxLagBlocks) }] : []),
      ...(lookupPeers.length > 0
        ? [
            { name: INIT_ENV.lookupPeers, value: lookupPeers.join(',') },
            ...(peers.length > 0 ? [{ name: INIT_ENV.staticPeers, value: persistentPeers(peers) }] : []),
          ]
        : []),
      ...(stateSync
        ? [
            { name: INIT_ENV.rpcServers, value: stateSync.rpcServers.join(',') },
            { name: INIT_ENV.trustHeightOffset, value: String(stateSync.trustHeightOffset ?? 2000) },
          ]
        : []),
      ...(props.bootstrap?.snapshot
        ? [
            { name: INIT_ENV.snapshotUrl, value: props.bootstrap.snapshot.url },
            ...(props.bootstrap.snapshot.sha256 ? [{ name: INIT_ENV.snapshotSha256, value: props.bootstrap.snapshot.sha256 }] : []),
          ]
        : []),
    ];
    const chainFollower = seidMode !== 'seed';
    // A seed serves no RPC: every probe asks whether p2p accepts connections (as the Sei operator does).
    const probePort = k8s.IntOrString.fromString(chainFollower ? 'rpc' : 'p2p');
    const securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      runAsNonRoot: true,
      runAsUser: NONROOT_ID,
      runAsGroup: NONROOT_ID,
    };
    const dataMount = { name: 'data', mountPath: SEID_HOME };
    // The key Secrets are mounted beside the volume, not into it, and only in the init container, which installs
    // them (see initScript): a subPath mount into config/ would make the kubelet create config/ as root before
    // `seid init`, which then cannot write there.
    const keyMounts = [
      ...(keys ? [{ name: 'signing-key', mountPath: INIT_MOUNTS.signingKey, readOnly: true }] : []),
      ...(nodeKeySecret ? [{ name: 'node-key', mountPath: INIT_MOUNTS.nodeKey, readOnly: true }] : []),
    ];
    const genesisMounts = known ? [{ name: 'genesis', mountPath: INIT_MOUNTS.genesis, readOnly: true }] : [];

    const statefulSet = new FingerprintedStatefulSet(this, 'StatefulSet', {
      metadata: metadata(props.name),
      spec: {
        replicas: paused ? 0 : 1,
        selector: { matchLabels: selectorLabels(props.name) },
        serviceName: props.name,
        podManagementPolicy: 'Parallel',
        updateStrategy: { type: updateStrategy },
        template: {
          metadata: { labels: { ...podLabels, ...labels } },
          spec: {
            // Secrets mount 0440: owner root, group fsGroup — the non-root init container reads them through its group.
            // seid never talks to the Kubernetes API, and service links would inject `<SVC>_*` variables next to
            // the SEID_* ones seid reads.
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // A node flushing its databases on SIGTERM needs longer than the default 30 s.
            terminationGracePeriodSeconds: 300,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: NONROOT_ID,
              runAsGroup: NONROOT_ID,
              fsGroup: NONROOT_ID,
              // Chain data is TiBs: re-chowning it on every start would take hours.
              fsGroupChangePolicy: 'OnRootMismatch',
              seccompProfile: { type: 'RuntimeDefault' },
            },
            initContainers: [
              {
                name: 'init',
                image: props.image,
                command: ['sh', '-c'],
                args: [
                  initScript({
                    signingKey: keys !== undefined,
                    nodeKey: nodeKeySecret !== undefined,
                    bootstrap,
                    lagThreshold: props.maxLagBlocks !== undefined,
                    lookupPeers: lookupPeers.length > 0,
                  }),
                ],
                env: initEnv,
                resources: { requests: quantities(INIT_RESOURCES.requests), limits: quantities(INIT_RESOURCES.limits) },
                securityContext,
                volumeMounts: [dataMount, ...keyMounts, ...genesisMounts],
              },
            ],
            containers: [
              {
                name: 'seid',
                image: props.image,
                command: ['seid'],
                args: ['start', '--home', SEID_HOME],
                env,
                ports: SEID_PORTS.map(({ name, containerPort }) => ({ name, containerPort, protocol: 'TCP' })),
                // Startup: up to 24 h to bind the port (state sync, snapshot restore, a slow database open).
                startupProbe: { tcpSocket: { port: probePort }, ...PROBE_TIMING.startup },
                // Ready = caught up: seid's /lag_status answers 417 while the node is more than its lag threshold
                // (maxLagBlocks, else seid's 300) behind its peers, where /health would answer 200 at any distance.
                readinessProbe: chainFollower
                  ? { httpGet: { path: '/lag_status', port: probePort }, ...PROBE_TIMING.readiness }
                  : { tcpSocket: { port: probePort }, ...PROBE_TIMING.readiness },
                // Alive = the port still accepts connections, which a node that is catching up or waiting for a
                // halted chain does: only a wedged process is restarted.
                livenessProbe: { tcpSocket: { port: probePort }, ...PROBE_TIMING.liveness },
                resources: { requests: quantities(requests), limits: quantities(limits) },
                securityContext,
                volumeMounts: [dataMount],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: dataClaimName(props.name) } },
              ...(keys ? [{ name: 'signing-key', secret: { secretName: keys.signing, defaultMode: 0o440 } }] : []),
              ...(nodeKeySecret ? [{ name: 'node-key', secret: { secretName: nodeKeySecret, defaultMode: 0o440 } }] : []),
              ...(known ? [{ name: 'genesis', configMap: { name: SeiGenesis.configMapName(props.chainId), defaultMode: 0o444 } }] : []),
            ],
          },
        },
      },
    });
    this.statefulSet = statefulSet;

    const spec: SeiNodeSpec = {
      chainId: props.chainId,
      image: props.image,
      [mode!]: mode === 'validator' && keys ? { signingKeySecret: keys.signing, nodeKeySecret: keys.node } : {},
      ...(props.allowImageTag ? { allowImageTag: true } : {}),
      ...(props.bootstrap ? { bootstrap: bootstrapSpec(props.bootstrap) } : {}),
      ...(props.genesis ? { genesis: { url: props.genesis.url, sha256: props.genesis.sha256 } } : {}),
      ...(bootstrapPeers.length > 0 ? { bootstrapPeers } : {}),
      ...(lookupPeers.length > 0 ? { lookupPeers } : {}),
      ...(props.externalAddress ? { externalAddress: props.externalAddress } : {}),
      ...(props.p2pService
        ? {
            p2PService: {
              type: props.p2pService.type as SeiNodeSpecP2PServiceType,
              ...(props.p2pService.nodePort !== undefined ? { nodePort: props.p2pService.nodePort } : {}),
              ...(props.p2pService.annotations && Object.keys(props.p2pService.annotations).length > 0
                ? { annotations: sortedRecord(props.p2pService.annotations) }
                : {}),
            },
          }
        : {}),
      ...(props.nodeKeySecret ? { nodeKeySecret: props.nodeKeySecret } : {}),
      ...(props.maxLagBlocks !== undefined ? { maxLagBlocks: props.maxLagBlocks } : {}),
      ...(props.nodeId ? { nodeId: props.nodeId } : {}),
      ...(privatePeerIds.length > 0 ? { privatePeerIds } : {}),
      ...(unconditionalPeerIds.length > 0 ? { unconditionalPeerIds } : {}),
      paused,
      updateStrategy: updateStrategy as SeiNodeSpecUpdateStrategy,
      ...(peers.length > 0 ? { peers } : {}),
      ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
      ...(Object.keys(podLabels).length > 0 ? { podLabels } : {}),
      storage: {
        size: storageSize,
        ...(props.storage?.storageClassName ? { storageClassName: props.storage.storageClassName } : {}),
      },
      resources: { requests, limits },
    };
    this.object = new SeiNodeWithExpectedFingerprint(
      this,
      'SeiNode',
      { metadata: metadata(props.name, seiNodeGitOpsAnnotations()), spec },
      statefulSet,
    );

    if (props.p2pService) {
      const { type, nodePort, annotations } = props.p2pService;
      const p2p = SEID_PORTS.find((p) => p.name === 'p2p')!;
      this.p2pService = new k8s.KubeService(this, 'P2pService', {
        metadata: metadata(`${props.name}-p2p`, annotations && Object.keys(annotations).length > 0 ? sortedRecord(annotations) : undefined),
        spec: {
          type,
          // Peers record the address they were dialled from: keep it the dialler's, not a node's SNAT address.
          externalTrafficPolicy: 'Local',
          // A node that is still catching up takes inbound peers too.
          publishNotReadyAddresses: true,
          selector: selectorLabels(props.name),
          ports: [
            {
              name: p2p.name,
              port: p2p.containerPort,
              targetPort: k8s.IntOrString.fromString(p2p.name),
              protocol: 'TCP',
              ...(nodePort !== undefined ? { nodePort } : {}),
            },
          ],
        },
      });
    }

    if (seidMode === 'validator') {
      this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
        metadata: metadata(props.name),
        spec: {
          podSelector: { matchLabels: selectorLabels(props.name) },
          policyTypes: ['Ingress'],
          ingress: [
            {
              ports: SEID_PORTS.filter((p) => servicePorts.includes(p.name)).map(({ name }) => ({
                port: k8s.IntOrString.fromString(name),
                protocol: 'TCP',
              })),
            },
          ],
        },
      });
    }
  }
}

/** The bootstrap as the SeiNode spec holds it: the props with defaults filled in, so the spec says what runs. */
function bootstrapSpec(b: NonNullable<SeiNodeProps['bootstrap']>): NonNullable<SeiNodeSpec['bootstrap']> {
  if (b.stateSync)
    return {
      stateSync: {
        rpcServers: [...b.stateSync.rpcServers],
        trustPeriod: b.stateSync.trustPeriod ?? '168h',
        trustHeightOffset: b.stateSync.trustHeightOffset ?? 2000,
      },
    };
  if (b.snapshot) return { snapshot: { url: b.snapshot.url, ...(b.snapshot.sha256 ? { sha256: b.snapshot.sha256 } : {}) } };
  return { none: {} };
}

const q = JSON.stringify;

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
