import { beforeAll, describe, expect, it } from '@jest/globals';
import { App, Chart } from 'cdk8s';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SeiNodeReconcilerRbac } from '../../src/constructs/reconciler-rbac.js';
import { kubectl, kubectlOk, kubeconfigFor, useNamespace } from './helpers/cluster.js';
import { ARGO, Live, installCrd, kubectlCreate, nodeProps, statefulSetOf, sync } from './helpers/gitops.js';
import { ROOT, toYaml } from './helpers/manifests.js';
beforeAll(installCrd, 90_000);
/** The reconciler runs on exactly the permissions SeiNodeReconcilerRbac renders, as a user the API server authorizes. */
describe('SeiNodeReconcilerRbac', () => {
    const ns = useNamespace('rbac');
    const once = (kubeconfig, ...flags) => spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--once', ...flags, '--namespace', ns.name, '--kubeconfig', kubeconfig], {
        encoding: 'utf8',
    });
    it('is enough to delete an impostor, write status and record Events, and grants no StatefulSet or SeiNode writes', async () => {
        const as = kubeconfigFor('reconciler');
        const refused = once(as);
        expect(refused.status).toBe(1);
        expect(refused.stderr).toMatch(/refused the reconciler's credentials \(403\): check its RBAC/);
        const name = `seinode-reconciler-${ns.name}`;
        const chart = new Chart(new App(), 'rbac', { namespace: ns.name });
        new SeiNodeReconcilerRbac(chart, 'rbac', { namespace: ns.name, name });
        await kubectlOk([...ARGO, '-f', '-'], { input: toYaml(chart.toJson()) });
        // The test identity is a token-file user; bind it to the rendered ClusterRole like the rendered ServiceAccount.
        await kubectlOk(['create', 'clusterrolebinding', `${name}-user`, `--clusterrole=${name}`, '--user=reconciler']);
        const live = new Live(ns.name);
        await sync(ns.name, nodeProps('guarded'));
        // First pass: track GitOps' StatefulSet (a first observation never deletes), then replace it by hand.
        expect(once(as).status).toBe(0);
        expect((await live.node('guarded')).status?.statefulSet?.uid).toBe((await live.sts('guarded'))?.metadata?.uid);
        await live.deleteStsAndWait('guarded');
        await kubectlCreate(statefulSetOf(ns.name, nodeProps('guarded')));
        const impostor = (await live.sts('guarded')).metadata.uid;
        const run = once(as, '--delete');
        expect(run.stderr).not.toMatch(/"level":"error"/);
        expect(run.status).toBe(0);
        expect(run.stdout).toMatch(new RegExp(`guarded\\s+-\\s+-\\s+delete\\s+deleted StatefulSet guarded \\(uid ${impostor}\\)`));
        const after = await live.sts('guarded');
        expect(after === undefined || after.metadata?.deletionTimestamp !== undefined).toBe(true);
        expect(live.condition(await live.node('guarded'), 'StatefulSetTracked')?.reason).toBe('ImpostorDeleted');
        expect(await live.eventReasons('guarded')).toContain('ImpostorDeleted');
        for (const verb of ['create', 'patch', 'update'])
            expect((await kubectl(['auth', 'can-i', verb, 'statefulsets', '-n', ns.name], { kubeconfig: as })).stdout.trim()).toBe('no');
        expect((await kubectl(['auth', 'can-i', 'update', 'seinodes.sei.io', '-n', ns.name], { kubeconfig: as })).stdout.trim()).toBe('no');
        expect((await kubectl(['auth', 'can-i', 'update', 'seinodes.sei.io', '--subresource=status', '-n', ns.name], { kubeconfig: as })).stdout.trim()).toBe('yes');
        await kubectlOk(['delete', 'clusterrolebinding', `${name}-user`, name]);
        await kubectlOk(['delete', 'clusterrole', name]);
    }, 90_000);
});
