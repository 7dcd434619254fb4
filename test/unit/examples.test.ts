import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const CRDS = join(ROOT, 'test/fixtures/crds');
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any> };
const docsIn = (file: string): Doc[] => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Doc);

/**
 * Strict like `kubectl apply --validate=strict`: an object schema that lists its properties and does not preserve
 * unknown fields refuses other fields (the API server would silently prune a misspelled `syncOption`).
 */
function strict(schema: any, atRoot = true): any {
  if (Array.isArray(schema)) return schema.map((s) => strict(s, false));
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, atRoot && p === 'metadata' ? s : strict(s, false)])) : strict(v, false)]),
  );
  if (out.properties && !out['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A validator per apiVersion/kind, from the vendored CRDs' openAPIV3Schema. */
function validators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  (formatsPlugin as unknown as { default: (a: Ajv) => void }).default(ajv);
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
  const byKind = new Map<string, ValidateFunction>();
  for (const file of readdirSync(CRDS).filter((f) => f.endsWith('.yaml')))
    for (const crd of docsIn(join(CRDS, file)))
      for (const v of crd.spec.versions)
        byKind.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(strict(v.schema.openAPIV3Schema)));
  return byKind;
}

const examples = ['examples/argocd/application.yaml', 'examples/flux/gitrepository.yaml', 'examples/flux/kustomization.yaml'].flatMap((f) =>
  docsIn(join(ROOT, f)).map((d) => [`${f}: ${d.kind} ${d.metadata.name}`, d] as const),
);

describe('examples/ validate against the vendored Argo CD and Flux CRD schemas', () => {
  const byKind = validators();
  const validate = (d: Doc) => {
    const v = byKind.get(`${d.apiVersion}/${d.kind}`);
    if (!v) throw new Error(`no vendored CRD for ${d.apiVersion} ${d.kind}`);
    return { ok: v(d), errors: v.errors ?? [] };
  };

  it.each(examples)('%s', (_, doc) => {
    const { ok, errors } = validate(doc);
    expect(errors).toEqual([]);
    expect(ok).toBe(true);
  });

  it('and the validator catches a misspelled field and a bad value', () => {
    const app = structuredClone(examples.find(([, d]) => d.kind === 'Application')![1]) as Doc;
    app.spec.syncPolicy.syncOption = app.spec.syncPolicy.syncOptions;
    const flux = structuredClone(examples.find(([, d]) => d.kind === 'Kustomization')![1]) as Doc;
    flux.spec.prune = 'yes';
    expect(validate(app).ok).toBe(false);
    expect(validate(app).errors.map((e) => `${e.instancePath} ${e.message}`)).toContain('/spec/syncPolicy must NOT have additional properties');
    expect(validate(flux).errors.map((e) => e.instancePath)).toEqual(['/spec/prune']);
  });

  it('say what the README requires: Argo CD applies server-side, Flux prunes, both sync dist/', () => {
    const app = examples.find(([, d]) => d.kind === 'Application')![1];
    expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(app.spec.syncPolicy.syncOptions).not.toContain('CreateNamespace=true');
    expect(app.spec.source.path).toBe('dist');
    expect((app.metadata as any).finalizers).toBeUndefined();
    const flux = examples.find(([, d]) => d.kind === 'Kustomization')![1];
    expect(flux.spec).toMatchObject({ path: './dist', prune: true, force: false, sourceRef: { kind: 'GitRepository', name: 'sei-gitops' } });
  });
});
