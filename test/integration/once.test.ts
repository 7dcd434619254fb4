import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, kubectlOk } from './helpers/cluster.js';
import { argoSync } from './helpers/engines.js';
import { Live, installCrd } from './helpers/gitops.js';
import { ROOT, distCrd, distFleet, distNamespace, distObjects } from './helpers/manifests.js';

beforeAll(installCrd, 90_000);

/** The README's one-shot: apply dist/ as Argo CD would, then `seinode-reconciler --once`. */
describe('seinode-reconciler --once on the committed dist/', () => {
  it('records {name, uid} on every SeiNode in dist/ and prints what it did', async () => {
    // dist/ without its cluster-wide admission binding, which would also hold the other test files' claims
    // (engines-chain-data.test.ts tests the policy with a binding narrowed to its own namespace).
    await argoSync('', [distCrd(), ...distFleet()], { app: 'once' });
    const namespace = distNamespace();
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--once', '--namespace', namespace], {
      env: { ...process.env, KUBECONFIG: KUBECONFIG() },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    // stderr carries the JSON log, one object per line.
    for (const line of run.stderr.trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ level: 'info' });
    const live = new Live(namespace);
    const nodes = distObjects(namespace).filter((o) => o.kind === 'SeiNode');
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+STATEFULSET\s+UID\s+ACTION\s+DETAIL$/);
    expect(lines).toHaveLength(nodes.length + 1);
    for (const n of nodes) {
      const uid = (await live.sts(n.metadata.name))!.metadata!.uid!;
      expect((await live.node(n.metadata.name)).status?.statefulSet).toEqual({ name: n.metadata.name, uid });
      expect(lines.find((l) => l.split(/\s+/)[1] === n.metadata.name)).toMatch(new RegExp(`${uid}\\s+adopt\\s+adopted`));
    }
  });

  it('shows the printer columns: Chain, Paused, StatefulSet, Tracked, Age (and UID with -o wide)', async () => {
    const namespace = distNamespace();
    const wide = (await kubectlOk(['get', 'snode', '-n', namespace, '-o', 'wide'])).trim().split('\n');
    expect(wide[0].split(/\s+/)).toEqual(['NAME', 'CHAIN', 'PAUSED', 'STATEFULSET', 'UID', 'TRACKED', 'AGE']);
    const archive = wide.find((l) => l.startsWith('archive-0'))!.split(/\s+/);
    expect(archive.slice(0, 4)).toEqual(['archive-0', 'atlantic-2', 'true', 'archive-0']);
    expect(archive[4]).toMatch(/^[0-9a-f-]{36}$/);
    expect(archive[5]).toBe('True');
    const narrow = (await kubectlOk(['get', 'seinodes', '-n', namespace])).split('\n')[0].split(/\s+/);
    expect(narrow).toEqual(['NAME', 'CHAIN', 'PAUSED', 'STATEFULSET', 'TRACKED', 'AGE']);
  });

  it('exits non-zero with a clear message when there is no cluster', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--once', '--kubeconfig', '/nonexistent'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/seinode-reconciler: .*\/nonexistent/);
  });

  it('says what is missing when there is no kubeconfig at all (instead of trying localhost:8080)', () => {
    const home = mkdtempSync(join(tmpdir(), 'no-kube-'));
    const { KUBECONFIG: _k, KUBERNETES_SERVICE_HOST: _h, ...env } = process.env;
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--once'], { encoding: 'utf8', env: { ...env, HOME: home } });
    rmSync(home, { recursive: true, force: true });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/seinode-reconciler: no cluster: pass --kubeconfig, set KUBECONFIG, create .*\.kube\/config, or run in a pod/);
    expect(run.stderr).not.toMatch(/localhost:8080/);
  });

  it('exits 2 with the usage on a bad flag', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--grace', 'soon'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--grace: "soon" is not a duration[\s\S]*usage: seinode-reconciler/);
  });

  it('names the server it cannot reach', () => {
    const cfg = join(ROOT, 'test/integration/helpers/unreachable.kubeconfig');
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/seinode-reconciler.js'), '--once', '--kubeconfig', cfg], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:1/);
  });
});
