import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, kubectlOk } from './helpers/cluster.js';
import { ROOT } from './helpers/manifests.js';

const CRDS = join(ROOT, 'test/fixtures/crds');
const crdFiles = readdirSync(CRDS).filter((f) => f.endsWith('.yaml')).map((f) => join(CRDS, f));
const CRD_NAMES = ['applications.argoproj.io', 'kustomizations.kustomize.toolkit.fluxcd.io', 'gitrepositories.source.toolkit.fluxcd.io'];

/** The examples as the API server sees them, after installing Argo CD's and Flux's own CRDs (vendored). */
describe('examples/ apply to the real API server with the Argo CD and Flux CRDs installed', () => {
  // The namespaces stay (the control plane is thrown away after the run): sidecar.test.ts dry-runs into them too.
  afterAll(async () => {
    await kubectl(['delete', 'crd', ...CRD_NAMES, '--wait=false']);
  });

  it('installs the vendored CRDs', async () => {
    for (const f of crdFiles) await kubectlOk(['apply', '--server-side', '-f', f]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', ...CRD_NAMES.map((n) => `crd/${n}`)]);
    for (const ns of ['argocd', 'flux-system'])
      await kubectlOk(['apply', '--server-side', '-f', '-'], { input: `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}\n` });
  }, 90_000);

  it.each([['examples/argocd/application.yaml'], ['examples/flux/gitrepository.yaml'], ['examples/flux/kustomization.yaml']])(
    '%s applies with strict field validation (an unknown field fails)',
    async (file) => {
      const out = await kubectlOk(['apply', '--server-side', '--validate=strict', '--field-manager=examples-test', '-f', join(ROOT, file)]);
      expect(out).toMatch(/serverside-applied/);
    },
    30_000,
  );

  it('and the API server does refuse an unknown field (so the check above can fail)', async () => {
    const bad = `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: typo, namespace: flux-system}\nspec: {interval: 1m, path: ./dist, prune: true, prun: false, sourceRef: {kind: GitRepository, name: sei-gitops}}\n`;
    const r = await kubectl(['apply', '--server-side', '--validate=strict', '-f', '-'], { input: bad });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\.spec\.prun: field not declared in schema/);
  }, 30_000);
});
