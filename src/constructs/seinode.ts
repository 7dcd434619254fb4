import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, type IConstruct } from 'constructs';
import { EXPECTED_FINGERPRINT_ANNOTATION, FINGERPRINT_ANNOTATION, dataClaimName } from '../contract.js';
import { SeiNode as SeiNodeObject, type SeiNodeSpec, SeiNodeSpecUpdateStrategy } from '../../imports/sei.io.js';
import { fingerprintOf } from '../lib/fingerprint.js';
import { dataClaimGitOpsAnnotations, seiNodeGitOpsAnnotations } from '../lib/gitops.js';
import { nodeLabels, selectorLabels } from '../lib/labels.js';
import { persistentPeers, seidEnv } from '../lib/seid-env.js';
import { BASE_SETTINGS, INIT_RESOURCES, MODE_DEFAULTS, NONROOT_ID, SEID_HOME, SEID_PORTS } from './seinode-defaults.js';
import { modeOf, propErrors, resourceErrors, type SeiNodeProps } from './seinode-props.js';

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
    const requests = { ...defaults?.requests, ...props.resources?.requests };
    const limits = { ...defaults?.limits, ...props.resources?.limits };
    if (defaults) errors.push(...resourceErrors(requests, limits));
    if (errors.length > 0) throw new Error(`${where}: invalid props:\n  - ${errors.join('\n  - ')}`);

    this.name = props.name;
    this.namespace = namespace!;
    const { role, seidMode, settings, storage } = defaults!;
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

    this.service = new k8s.KubeService(this, 'Service', {
      metadata: metadata(props.name),
      spec: {
        clusterIp: 'None',
        // Peers and operators must reach a node that is still catching up (unready) by its stable DNS name.
        publishNotReadyAddresses: true,
        selector: selectorLabels(props.name),
        ports: SEID_PORTS.map(({ name, containerPort }) => ({
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

    const env = seidEnv({
      ...BASE_SETTINGS,
      ...settings,
      ...overrides,
      mode: seidMode,
      ...(peers.length > 0 ? { 'p2p.persistent-peers': persistentPeers(peers) } : {}),
    });
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
    const keyMounts = keys
      ? [
          { name: 'signing-key', mountPath: KEY_MOUNTS.signing, readOnly: true },
          { name: 'node-key', mountPath: KEY_MOUNTS.node, readOnly: true },
        ]
      : [];

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
                args: [initScript(keys !== undefined)],
                env: [
                  { name: 'CHAIN_ID', value: props.chainId },
                  { name: 'MONIKER', value: props.name },
                ],
                resources: { requests: quantities(INIT_RESOURCES.requests), limits: quantities(INIT_RESOURCES.limits) },
                securityContext,
                volumeMounts: [dataMount, ...keyMounts],
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
                // No liveness probe on purpose: a node that is catching up or waiting for a halted chain is alive,
                // and restarting it would only lose its progress.
                readinessProbe: {
                  httpGet: { path: '/health', port: k8s.IntOrString.fromString('rpc') },
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
                resources: { requests: quantities(requests), limits: quantities(limits) },
                securityContext,
                volumeMounts: [dataMount],
              },
            ],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: dataClaimName(props.name) } },
              ...(keys
                ? [
                    { name: 'signing-key', secret: { secretName: keys.signing, defaultMode: 0o440 } },
                    { name: 'node-key', secret: { secretName: keys.node, defaultMode: 0o440 } },
                  ]
                : []),
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
  }
}

const q = JSON.stringify;

/** Where the init container sees the validator's key Secrets (outside the data volume). */
const KEY_MOUNTS = { signing: '/secrets/signing-key', node: '/secrets/node-key' } as const;

/**
 * The init container's script; idempotent, so every pod start runs it safely:
 * - only a fresh volume gets `seid init` (no genesis yet); a restart never touches existing config;
 * - a validator with key Secrets gets them installed over the ones `seid init` generated, 0600 and owned by seid,
 *   on every start (the Secret is the source of truth);
 * - a validator's sign state (`data/priv_validator_state.json`, the double-sign guard) is created at height 0 only
 *   when missing — never overwritten — because seid refuses to load a key without it.
 */
function initScript(installKeys: boolean): string {
  const config = `${SEID_HOME}/config`;
  const state = `${SEID_HOME}/data/priv_validator_state.json`;
  return [
    'set -eu',
    `if [ ! -f ${config}/genesis.json ]; then seid init "$MONIKER" --chain-id "$CHAIN_ID" --home ${SEID_HOME}; fi`,
    ...(installKeys
      ? [
          `mkdir -p ${config} ${SEID_HOME}/data`,
          `cp ${KEY_MOUNTS.signing}/priv_validator_key.json ${config}/priv_validator_key.json`,
          `cp ${KEY_MOUNTS.node}/node_key.json ${config}/node_key.json`,
          `chmod 0600 ${config}/priv_validator_key.json ${config}/node_key.json`,
          `if [ ! -f ${state} ]; then printf '%s\\n' '{"height":"0","round":0,"step":0}' > ${state}; fi`,
        ]
      : []),
  ].join('\n');
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
