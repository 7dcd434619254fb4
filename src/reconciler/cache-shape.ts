/**
 * What the informer caches keep of each object: only what a decision on the caches reads. A cached StatefulSet was
 * mostly its pod template (the init script, env, probes) and managedFields — at 1000 nodes the reconciler's heap was
 * 148 MB (bench/reconciler-scale.bench.ts). Anything that writes or deletes reads the full object fresh anyway.
 *
 * - StatefulSet: identity and version, labels and annotations (the fingerprint), deletionTimestamp, `spec.replicas`,
 *   and of `managedFields` only the entries that own creation fields, reduced to those fields — exactly what
 *   `creatorsOf` reads, so an origin taken from a cached object is the one the full object gives.
 * - SeiNode: metadata without managedFields (its labels and annotations go back on a status write), `spec.paused`, status.
 * - PersistentVolumeClaim: identity only; the PVC informer only triggers re-checks.
 * Objects of other shapes (a watch's ERROR Status, a BOOKMARK) pass through untouched.
 */
import type { KubernetesObject, V1ManagedFieldsEntry, V1ObjectMeta } from '@kubernetes/client-node';
import { CREATION_FIELDS } from './provenance.js';

export type CacheKind = 'StatefulSet' | 'SeiNode' | 'PersistentVolumeClaim';

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: unknown };

function identity(m: V1ObjectMeta | undefined): V1ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp'] as const)
    if (m?.[k] !== undefined) out[k] = m[k];
  return out as V1ObjectMeta;
}

/** Only the managedFields entries that own a creation field, each reduced to those fields under `f:spec`. */
export function creationEntries(entries: readonly V1ManagedFieldsEntry[] | undefined): V1ManagedFieldsEntry[] {
  const out: V1ManagedFieldsEntry[] = [];
  for (const e of entries ?? []) {
    const spec = (e.fieldsV1 as Record<string, Record<string, unknown>> | undefined)?.['f:spec'];
    if (e.subresource || e.fieldsType !== 'FieldsV1' || typeof spec !== 'object' || spec === null) continue;
    const kept = Object.fromEntries(CREATION_FIELDS.filter((f) => f in spec).map((f) => [f, {}]));
    if (Object.keys(kept).length === 0) continue;
    out.push({
      ...(e.manager !== undefined ? { manager: e.manager } : {}),
      ...(e.operation !== undefined ? { operation: e.operation } : {}),
      fieldsType: e.fieldsType,
      fieldsV1: { 'f:spec': kept },
    });
  }
  return out;
}

/** The part of `obj` the cache of `kind` keeps (a new object; `obj` is not changed). */
export function cacheShape(kind: CacheKind, obj: Obj): Obj {
  if (!obj || typeof obj !== 'object' || !obj.metadata || (obj.kind !== undefined && obj.kind !== kind)) return obj;
  const m = obj.metadata;
  if (kind === 'PersistentVolumeClaim') return { apiVersion: obj.apiVersion, kind, metadata: identity(m) } as Obj;
  const meta: V1ObjectMeta = {
    ...identity(m),
    ...(m.labels ? { labels: m.labels } : {}),
    ...(m.annotations ? { annotations: m.annotations } : {}),
  };
  if (kind === 'StatefulSet') {
    const entries = creationEntries(m.managedFields);
    return {
      apiVersion: obj.apiVersion,
      kind,
      metadata: { ...meta, ...(entries.length > 0 ? { managedFields: entries } : {}) },
      spec: { ...(obj.spec?.replicas !== undefined ? { replicas: obj.spec.replicas } : {}) },
    } as Obj;
  }
  return {
    apiVersion: obj.apiVersion,
    kind,
    metadata: meta,
    spec: { ...(obj.spec?.paused !== undefined ? { paused: obj.spec.paused } : {}) },
    ...(obj.status !== undefined ? { status: obj.status } : {}),
  } as Obj;
}
