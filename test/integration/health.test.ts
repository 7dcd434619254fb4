import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../kube/controlplane.js';
import { join } from 'node:path';
import { eventually, kubectlOk, kubeconfigFor, useNamespace } from './helpers/cluster.js';
import { installCrd } from './helpers/gitops.js';
import { ROOT } from './helpers/manifests.js';

beforeAll(installCrd, 90_000);

/**
 * /readyz tells the truth: the reconciler CLI runs as a user that may list SeiNodes and StatefulSets but not PVCs, so
 * its PVC informer cannot list. /readyz says 503 and why, and turns 200 once RBAC is fixed (the list is retried).
 */
describe('seinode-reconciler /readyz and /healthz', () => {
  const ns = useNamespace('health');
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('is 503 while an informer cannot list, 200 once it can; /healthz stays 200', async () => {
    const user = 'impostor';
    await kubectlOk(['create', 'role', 'partial', '--verb=get,list,watch', '--resource=seinodes.sei.io,statefulsets.apps', '-n', ns.name]);
    await kubectlOk(['create', 'rolebinding', 'partial', '--role=partial', `--user=${user}`, '-n', ns.name]);
    const port = await freePort();
    child = spawn(
      process.execPath,
      [join(ROOT, 'bin/seinode-reconciler.js'), '--leader-elect=false', '--namespace', ns.name, '--metrics-addr', `127.0.0.1:${port}`, '--kubeconfig', kubeconfigFor(user)],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, body: await r.text() };
    };
    // Until the first lists return, every informer is "not listed yet"; then only the PVC one stays so.
    const notReady = await eventually('only the PVC informer to be unlisted', async () => {
      const r = await get('/readyz').catch(() => undefined);
      return r && r.body === `not ok: not listed yet: persistentvolumeclaims in ${ns.name}\n` ? r : undefined;
    }, 30_000);
    expect(notReady.status).toBe(503);
    expect((await get('/healthz')).status).toBe(200);
    expect(stderr).toMatch(/watch failed; restarting/);

    await kubectlOk(['create', 'role', 'claims', '--verb=list,watch', '--resource=persistentvolumeclaims', '-n', ns.name]);
    await kubectlOk(['create', 'rolebinding', 'claims', '--role=claims', `--user=${user}`, '-n', ns.name]);
    const ready = await eventually('ready once PVCs can be listed', async () => {
      const r = await get('/readyz');
      return r.status === 200 ? r : undefined;
    }, 40_000);
    expect(ready.body).toMatch(/ok: 3 informers synced/);
  }, 90_000);
});
