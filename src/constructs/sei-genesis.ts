import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { KNOWN_CHAINS, vendoredGenesisGzip } from '../lib/chains.js';
import { GENESIS_GZIP_KEY } from '../lib/init-script.js';
import { projectLabels } from '../lib/labels.js';

/** Props of a SeiGenesis: which vendored chain, in which namespace. */
export interface SeiGenesisProps {
  /** A chain with a vendored genesis (KNOWN_CHAINS). */
  readonly chainId: string;
  /** Namespace of the ConfigMap; the nodes that mount it live there. */
  readonly namespace: string;
}

/** The annotation that repeats the SHA-256 of the uncompressed genesis, for humans and audits. */
export const GENESIS_SHA256_ANNOTATION = 'sei.io/genesis-sha256';

/**
 * A known chain's genesis as one ConfigMap `genesis-<chain id>` per namespace, shared by every node of the chain
 * there. It holds the committed gzip bytes in `binaryData` (atlantic-2: 92 KB of base64 instead of 522 KB of JSON),
 * so it fits the 256 KiB annotation that client-side apply writes and leaves room in the 1 MiB object limit.
 * Not prune-protected: losing it only stops a *new* node's first boot, and the next sync re-creates it.
 */
export class SeiGenesis extends Construct {
  /** The ConfigMap name for a chain: `genesis-<chain id>`. */
  public static configMapName(chainId: string): string {
    return `genesis-${chainId}`;
  }

  /** The one SeiGenesis of a chain in a namespace in this chart, created on first use. */
  public static of(scope: Construct, chainId: string, namespace: string): SeiGenesis {
    const chart = Chart.of(scope);
    const id = `genesis-${namespace}-${chainId}`;
    return (chart.node.tryFindChild(id) as SeiGenesis | undefined) ?? new SeiGenesis(chart, id, { chainId, namespace });
  }

  public readonly configMap: k8s.KubeConfigMap;
  public readonly sha256: string;

  constructor(scope: Construct, id: string, props: SeiGenesisProps) {
    super(scope, id);
    const chain = KNOWN_CHAINS[props.chainId];
    if (!chain) throw new Error(`SeiGenesis ${props.namespace}/${props.chainId}: chainId: no vendored genesis for ${props.chainId}`);
    this.sha256 = chain.genesisSha256;
    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: SeiGenesis.configMapName(props.chainId),
        namespace: props.namespace,
        labels: projectLabels(props.chainId, 'genesis'),
        annotations: { [GENESIS_SHA256_ANNOTATION]: chain.genesisSha256 },
      },
      // Immutable: a genesis never changes, and the kubelet need not watch it.
      immutable: true,
      binaryData: { [GENESIS_GZIP_KEY]: vendoredGenesisGzip(props.chainId).toString('base64') },
    });
  }
}
