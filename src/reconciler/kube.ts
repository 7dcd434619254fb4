/**
 * Every Kubernetes API call the reconciler makes, in one module. Nothing here decides anything; results the caller
 * must act on (not found, conflict) come back as values, everything else as exceptions.
 */
import * as k8s from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { API_GROUP, API_VERSION, SEINODE_API_VERSION, SEINODE_KIND, SEINODE_PLURAL } from '../contract.js';
import type { NodeEvent } from './decide.js';
import type { SeiNodeObject, SeiNodeStatus } from './types.js';

export const COMPONENT = 'seinode-reconciler';

const CRD = { group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL };

export const isApiError = (e: unknown, code: number): boolean => e instanceof k8s.ApiException && e.code === code;

async function orUndefinedOn404<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isApiError(e, 404)) return undefined;
    throw e;
  }
}

export type DeleteResult = 'deleted' | 'conflict' | 'gone';
export type StatusWriteResult = 'written' | 'conflict' | 'gone';

/** Counts what the reconciler writes, so a steady state can be proven to write nothing. */
export interface WriteCounter {
  (kind: 'status' | 'delete' | 'event'): void;
}

/** What the controller needs from the API server; KubeApi is the real one, unit tests pass a fake. */
export interface ReconcilerApi {
  getSeiNode(namespace: string, name: string): Promise<SeiNodeObject | undefined>;
  listSeiNodes(namespace?: string): Promise<SeiNodeObject[]>;
  getStatefulSet(namespace: string, name: string): Promise<k8s.V1StatefulSet | undefined>;
  claimsOwnedBy(namespace: string, uid: string): Promise<string[]>;
  deleteStatefulSet(
    namespace: string,
    target: { name: string; uid: string; resourceVersion: string },
    propagationPolicy: 'Foreground' | 'Background' | 'Orphan',
  ): Promise<DeleteResult>;
  writeStatus(node: SeiNodeObject, status: SeiNodeStatus): Promise<StatusWriteResult>;
  recordEvent(node: SeiNodeObject, event: NodeEvent, now?: Date): Promise<void>;
}

/** How long one API call may take before it is aborted (and the reconcile retried with backoff). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Per-call options that abort the HTTP request after `ms`: without them a call to an API server that accepted the
 * connection and then hung would hold its work-queue key in `processing` forever.
 */
export function timeoutOptions(ms: number, countRequest: (method: string) => void = () => {}): k8s.ConfigurationOptions {
  // client-node 1.4's object-parameter API types these options as promise middleware but hands them to its
  // Observable layer unwrapped (it calls `.toPromise()` on what `pre` returns), so the middleware answers with
  // client-node's own Observable, a promise holder the package exports.
  const middleware = {
    pre: (ctx: k8s.RequestContext) => {
      countRequest(ctx.getHttpMethod());
      ctx.setSignal(AbortSignal.timeout(ms));
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (ctx: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(ctx)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' } as unknown as k8s.ConfigurationOptions;
}

export class KubeApi implements ReconcilerApi {
  private readonly custom: k8s.CustomObjectsApi;
  private readonly apps: k8s.AppsV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly instance = `${COMPONENT}-${hostname()}`;

  /** Passed to every call: see timeoutOptions. */
  readonly options: k8s.ConfigurationOptions;

  constructor(
    readonly kubeConfig: k8s.KubeConfig,
    private readonly countWrite: WriteCounter = () => {},
    readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
    countRequest: (method: string) => void = () => {},
  ) {
    this.options = timeoutOptions(requestTimeoutMs, countRequest);
    this.custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    this.apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
    this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  }

  getSeiNode(namespace: string, name: string): Promise<SeiNodeObject | undefined> {
    return orUndefinedOn404(this.custom.getNamespacedCustomObject({ ...CRD, namespace, name }, this.options));
  }

  async listSeiNodes(namespace?: string): Promise<SeiNodeObject[]> {
    const list = namespace
      ? await this.custom.listNamespacedCustomObject({ ...CRD, namespace }, this.options)
      : await this.custom.listClusterCustomObject(CRD, this.options);
    return (list as { items: SeiNodeObject[] }).items;
  }

  getStatefulSet(namespace: string, name: string): Promise<k8s.V1StatefulSet | undefined> {
    return orUndefinedOn404(this.apps.readNamespacedStatefulSet({ namespace, name }, this.options));
  }

  /** Names of the PVCs in `namespace` that an object with `uid` owns (garbage collection would delete them with it). */
  async claimsOwnedBy(namespace: string, uid: string): Promise<string[]> {
    const claims = await this.core.listNamespacedPersistentVolumeClaim({ namespace }, this.options);
    return claims.items
      .filter((c) => c.metadata?.ownerReferences?.some((o) => o.uid === uid))
      .map((c) => c.metadata!.name!)
      .sort();
  }

  /**
   * Deletes exactly the StatefulSet observed: the uid and resourceVersion preconditions make the API server refuse
   * (409) if it was replaced or changed since, which the caller treats as "look again".
   */
  async deleteStatefulSet(
    namespace: string,
    target: { name: string; uid: string; resourceVersion: string },
    propagationPolicy: 'Foreground' | 'Background' | 'Orphan',
  ): Promise<DeleteResult> {
    try {
      this.countWrite('delete');
      await this.apps.deleteNamespacedStatefulSet({
        namespace,
        name: target.name,
        body: { preconditions: { uid: target.uid, resourceVersion: target.resourceVersion }, propagationPolicy },
      }, this.options);
      return 'deleted';
    } catch (e) {
      if (isApiError(e, 409)) return 'conflict';
      if (isApiError(e, 404)) return 'gone';
      throw e;
    }
  }

  /**
   * Replaces the status through the status subresource, guarded by the resourceVersion the decision was made on:
   * a 409 means the node changed meanwhile and the caller must re-read and re-decide.
   */
  async writeStatus(node: SeiNodeObject, status: SeiNodeStatus): Promise<StatusWriteResult> {
    const { namespace, name } = node.metadata;
    try {
      this.countWrite('status');
      await this.custom.replaceNamespacedCustomObjectStatus({
        ...CRD,
        namespace: namespace!,
        name: name!,
        // The object's identity, the guarding resourceVersion, the status — and its labels and annotations as read:
        // the server keeps metadata on a status write either way, but computes field ownership from the body sent,
        // so a body without them took their ownership away from the GitOps engine (measured with Argo CD's SSA: its
        // next sync then re-claimed them, a SeiNode write on every sync after a status change).
        body: {
          apiVersion: SEINODE_API_VERSION,
          kind: SEINODE_KIND,
          metadata: {
            name,
            namespace,
            resourceVersion: node.metadata.resourceVersion,
            ...(node.metadata.labels ? { labels: node.metadata.labels } : {}),
            ...(node.metadata.annotations ? { annotations: node.metadata.annotations } : {}),
          },
          spec: node.spec,
          status,
        },
      }, this.options);
      return 'written';
    } catch (e) {
      if (isApiError(e, 409)) return 'conflict';
      if (isApiError(e, 404)) return 'gone';
      throw e;
    }
  }

  /** Records an Event on the SeiNode, as `kubectl describe seinode` shows them. */
  async recordEvent(node: SeiNodeObject, event: NodeEvent, now = new Date()): Promise<void> {
    const { namespace, name, uid, resourceVersion } = node.metadata;
    this.countWrite('event');
    await this.core.createNamespacedEvent({
      namespace: namespace!,
      body: {
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: SEINODE_API_VERSION, kind: SEINODE_KIND, name, namespace, uid, resourceVersion },
        type: event.type,
        reason: event.reason,
        message: event.message,
        source: { component: COMPONENT },
        reportingComponent: COMPONENT,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    }, this.options);
  }

  /**
   * Fails with a message naming the server when the cluster cannot be reached or the CRD is missing. Lists in
   * `namespace` when given: a reconciler watching some namespaces may have RBAC for those only.
   */
  async checkReachable(namespace?: string): Promise<void> {
    const server = this.kubeConfig.getCurrentCluster()?.server ?? '(no server in kubeconfig)';
    try {
      if (namespace) await this.custom.listNamespacedCustomObject({ ...CRD, namespace, limit: 1 }, this.options);
      else await this.custom.listClusterCustomObject({ ...CRD, limit: 1 }, this.options);
    } catch (e) {
      if (isApiError(e, 404))
        throw new Error(`the SeiNode CRD (${SEINODE_PLURAL}.${API_GROUP}) is not installed on ${server}: apply dist/0000-seinode-crd.k8s.yaml`);
      if (isApiError(e, 401) || isApiError(e, 403))
        throw new Error(`${server} refused the reconciler's credentials (${(e as k8s.ApiException<unknown>).code}): check its RBAC`);
      throw new Error(`cannot reach the Kubernetes API at ${server}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
