import { describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { pinnedVersions } from '../kube/build.js';
import { controllerManagerSkipReason, eventually, hasControllerManager, kubeConfig, kubectl, useNamespace } from './helpers/cluster.js';
/** Proofs that the test control plane is a real one: these behaviours are the API server's and the controllers'. */
describe('the test control plane', () => {
    const ns = useNamespace('cp');
    const kc = kubeConfig();
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const statefulSet = (name, replicas = 1) => ({
        metadata: { name },
        spec: {
            replicas,
            serviceName: name,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'example.invalid/none:1' }] } },
        },
    });
    it('serves the pinned Kubernetes version, and kubectl matches it', async () => {
        const pinned = pinnedVersions().kubernetes;
        const version = await kc.makeApiClient(k8s.VersionApi).getCode();
        if (process.env.KUBEBUILDER_ASSETS === undefined)
            expect(version.gitVersion).toBe(pinned);
        const client = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout);
        expect(client.serverVersion.gitVersion).toBe(version.gitVersion);
    });
    it('assigns UIDs and rejects a delete whose uid precondition is stale (409)', async () => {
        const created = await apps.createNamespacedStatefulSet({ namespace: ns.name, body: statefulSet('precondition', 0) });
        expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
        const err = await apps
            .deleteNamespacedStatefulSet({
            name: 'precondition',
            namespace: ns.name,
            body: { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } },
        })
            .catch((e) => e);
        expect(err).toBeInstanceOf(k8s.ApiException);
        expect(err.code).toBe(409);
        await apps.readNamespacedStatefulSet({ name: 'precondition', namespace: ns.name });
    });
    const withControllers = hasControllerManager() ? it : it.skip;
    withControllers(`runs the StatefulSet controller (Pod objects appear) and foreground garbage collection${controllerManagerSkipReason()}`, async () => {
        const sts = await apps.createNamespacedStatefulSet({ namespace: ns.name, body: statefulSet('gc') });
        const pod = await eventually('pod gc-0', () => core.readNamespacedPod({ name: 'gc-0', namespace: ns.name }), 60_000);
        expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'gc', uid: sts.metadata.uid });
        await apps.deleteNamespacedStatefulSet({ name: 'gc', namespace: ns.name, body: { propagationPolicy: 'Foreground' } });
        await eventually('the StatefulSet and its pod to be gone', async () => {
            const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=gc' });
            const sets = await apps.listNamespacedStatefulSet({ namespace: ns.name, fieldSelector: 'metadata.name=gc' });
            return pods.items.length === 0 && sets.items.length === 0;
        }, 60_000);
    }, 90_000);
});
