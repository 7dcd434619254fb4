import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kubectl, kubectlOk } from './helpers/cluster.js';
import { ROOT } from './helpers/manifests.js';

/** A stand-in for the tool's own workload: only what the patch must merge into (name, namespace, one container). */
const standIn = (kind: string, name: string, namespace: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: ${name}, image: example.invalid/${name}:test}]
`;

describe.each([
  ['argocd', 'StatefulSet', 'argocd-application-controller', 'argocd'],
  ['flux', 'Deployment', 'kustomize-controller', 'flux-system'],
])('examples/sidecar/%s', (tool, kind, name, namespace) => {
  it(`adds the reconciler container to the ${kind} ${namespace}/${name} and binds its ServiceAccount; the API server accepts the result (strict)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-'));
    try {
      writeFileSync(join(dir, 'workload.yaml'), standIn(kind, name, namespace));
      writeFileSync(join(dir, 'kustomization.yaml'), `resources: [workload.yaml]\ncomponents: [${relative(dir, join(ROOT, 'examples/sidecar', tool))}]\n`);
      const built = await kubectlOk(['kustomize', '--load-restrictor=LoadRestrictionsNone', dir]);
      const docs = parseAllDocuments(built).map((d) => d.toJS());
      const workload = docs.find((d) => d.kind === kind);
      const containers = workload.spec.template.spec.containers as { name: string; args?: string[]; securityContext?: object }[];
      expect(containers.map((c) => c.name).sort()).toEqual([name, 'seinode-reconciler'].sort());
      // kustomize puts the sidecar first: kubectl logs/exec must still default to the tool's own container.
      expect(workload.spec.template.metadata.annotations).toEqual({ 'kubectl.kubernetes.io/default-container': name });
      const sidecar = containers.find((c) => c.name === 'seinode-reconciler')!;
      expect(sidecar.args).toContain('--leader-election-namespace=sei-system');
      expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
      for (const binding of docs.filter((d) => d.kind.endsWith('RoleBinding')))
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name, namespace }]);
      expect(docs.map((d) => d.kind).sort()).toEqual(['ClusterRoleBinding', kind, 'RoleBinding'].sort());
      // Server-side dry run: schema, strict field validation and admission, without touching the shared cluster.
      await kubectlOk(['create', 'namespace', namespace]).catch(() => undefined);
      await kubectlOk(['create', 'namespace', 'sei-system']).catch(() => undefined);
      const r = await kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], { input: built });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
