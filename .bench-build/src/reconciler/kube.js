/**
 * Every Kubernetes API call the reconciler makes, in one module. Nothing here decides anything; results the caller
 * must act on (not found, conflict) come back as values, everything else as exceptions.
 */
import * as k8s from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { API_GROUP, API_VERSION, SEINODE_API_VERSION, SEINODE_KIND, SEINODE_PLURAL } from '../contract.js';
export const COMPONENT = 'seinode-reconciler';
const CRD = { group: API_GROUP, version: API_VERSION, plural: SEINODE_PLURAL };
export const isApiError = (e, code) => e instanceof k8s.ApiException && e.code === code;
async function orUndefinedOn404(p) {
    try {
        return await p;
    }
    catch (e) {
        if (isApiError(e, 404))
            return undefined;
        throw e;
    }
}
/** How long one API call may take before it is aborted (and the reconcile retried with backoff). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Per-call options that abort the HTTP request after `ms`: without them a call to an API server that accepted the
 * connection and then hung would hold its work-queue key in `processing` forever.
 */
export function timeoutOptions(ms, countRequest = () => { }) {
    // client-node 1.4's object-parameter API types these options as promise middleware but hands them to its
    // Observable layer unwrapped (it calls `.toPromise()` on what `pre` returns), so the middleware answers with
    // client-node's own Observable, a promise holder the package exports.
    const middleware = {
        pre: (ctx) => {
            countRequest(ctx.getHttpMethod());
            ctx.setSignal(AbortSignal.timeout(ms));
            return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (ctx) => new k8s.Observable(Promise.resolve(ctx)),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
export class KubeApi {
    kubeConfig;
    countWrite;
    requestTimeoutMs;
    custom;
    apps;
    core;
    instance = `${COMPONENT}-${hostname()}`;
    /** Passed to every call: see timeoutOptions. */
    options;
    constructor(kubeConfig, countWrite = () => { }, requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS, countRequest = () => { }) {
        this.kubeConfig = kubeConfig;
        this.countWrite = countWrite;
        this.requestTimeoutMs = requestTimeoutMs;
        this.options = timeoutOptions(requestTimeoutMs, countRequest);
        this.custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
        this.apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
        this.core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    }
    getSeiNode(namespace, name) {
        return orUndefinedOn404(this.custom.getNamespacedCustomObject({ ...CRD, namespace, name }, this.options));
    }
    async listSeiNodes(namespace) {
        const list = namespace
            ? await this.custom.listNamespacedCustomObject({ ...CRD, namespace }, this.options)
            : await this.custom.listClusterCustomObject(CRD, this.options);
        return list.items;
    }
    getStatefulSet(namespace, name) {
        return orUndefinedOn404(this.apps.readNamespacedStatefulSet({ namespace, name }, this.options));
    }
    /** Names of the PVCs in `namespace` that an object with `uid` owns (garbage collection would delete them with it). */
    async claimsOwnedBy(namespace, uid) {
        const claims = await this.core.listNamespacedPersistentVolumeClaim({ namespace }, this.options);
        return claims.items
            .filter((c) => c.metadata?.ownerReferences?.some((o) => o.uid === uid))
            .map((c) => c.metadata.name)
            .sort();
    }
    /**
     * Deletes exactly the StatefulSet observed: the uid and resourceVersion preconditions make the API server refuse
     * (409) if it was replaced or changed since, which the caller treats as "look again".
     */
    async deleteStatefulSet(namespace, target, propagationPolicy) {
        try {
            this.countWrite('delete');
            await this.apps.deleteNamespacedStatefulSet({
                namespace,
                name: target.name,
                body: { preconditions: { uid: target.uid, resourceVersion: target.resourceVersion }, propagationPolicy },
            }, this.options);
            return 'deleted';
        }
        catch (e) {
            if (isApiError(e, 409))
                return 'conflict';
            if (isApiError(e, 404))
                return 'gone';
            throw e;
        }
    }
    /**
     * Replaces the status through the status subresource, guarded by the resourceVersion the decision was made on:
     * a 409 means the node changed meanwhile and the caller must re-read and re-decide.
     */
    async writeStatus(node, status) {
        const { namespace, name } = node.metadata;
        try {
            this.countWrite('status');
            await this.custom.replaceNamespacedCustomObjectStatus({
                ...CRD,
                namespace: namespace,
                name: name,
                // Only what the status subresource looks at: the object's identity, the guarding resourceVersion, the status.
                body: {
                    apiVersion: SEINODE_API_VERSION,
                    kind: SEINODE_KIND,
                    metadata: { name, namespace, resourceVersion: node.metadata.resourceVersion },
                    spec: node.spec,
                    status,
                },
            }, this.options);
            return 'written';
        }
        catch (e) {
            if (isApiError(e, 409))
                return 'conflict';
            if (isApiError(e, 404))
                return 'gone';
            throw e;
        }
    }
    /** Records an Event on the SeiNode, as `kubectl describe seinode` shows them. */
    async recordEvent(node, event, now = new Date()) {
        const { namespace, name, uid, resourceVersion } = node.metadata;
        this.countWrite('event');
        await this.core.createNamespacedEvent({
            namespace: namespace,
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
    async checkReachable(namespace) {
        const server = this.kubeConfig.getCurrentCluster()?.server ?? '(no server in kubeconfig)';
        try {
            if (namespace)
                await this.custom.listNamespacedCustomObject({ ...CRD, namespace, limit: 1 }, this.options);
            else
                await this.custom.listClusterCustomObject({ ...CRD, limit: 1 }, this.options);
        }
        catch (e) {
            if (isApiError(e, 404))
                throw new Error(`the SeiNode CRD (${SEINODE_PLURAL}.${API_GROUP}) is not installed on ${server}: apply dist/0000-seinode-crd.k8s.yaml`);
            if (isApiError(e, 401) || isApiError(e, 403))
                throw new Error(`${server} refused the reconciler's credentials (${e.code}): check its RBAC`);
            throw new Error(`cannot reach the Kubernetes API at ${server}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
}
