import { describe, expect, it } from '@jest/globals';
import { cacheShape } from '../../../src/reconciler/cache-shape.js';
import { creatorsOf } from '../../../src/reconciler/provenance.js';
import { MANAGED_FIELDS, node, sts } from './fixtures.js';

describe('cacheShape: what the informer caches keep', () => {
  it.each(Object.keys(MANAGED_FIELDS) as (keyof typeof MANAGED_FIELDS)[])(
    'a cached StatefulSet names the same creators as the full one (%s)',
    (shape) => {
      const full = sts({ managedFields: MANAGED_FIELDS[shape] });
      expect(creatorsOf(cacheShape('StatefulSet', full as never).metadata!.managedFields)).toEqual(creatorsOf(full.metadata!.managedFields));
    },
  );

  it('keeps of a StatefulSet what a decision reads, and drops the pod template', () => {
    const full = { ...sts({ terminating: true }), kind: 'StatefulSet', apiVersion: 'apps/v1' };
    const cached = cacheShape('StatefulSet', full as never) as typeof full;
    expect(cached.metadata).toMatchObject({ name: 'rpc-0', namespace: 'sei', uid: 'uid-1', resourceVersion: '42', annotations: full.metadata!.annotations });
    expect(cached.metadata!.deletionTimestamp).toBe(full.metadata!.deletionTimestamp);
    expect(cached.spec).toEqual({ replicas: 1 });
    expect(JSON.stringify(cached.metadata!.managedFields)).not.toMatch(/f:template|f:replicas/);
  });

  it('keeps of a SeiNode its metadata (labels and annotations go back on a status write), spec.paused and status', () => {
    const full = { ...node({ paused: true, status: { statefulSet: { name: 'rpc-0', uid: 'u' } } }), kind: 'SeiNode' };
    (full.metadata as Record<string, unknown>).managedFields = [{ manager: 'argocd-controller' }];
    const cached = cacheShape('SeiNode', full as never) as typeof full;
    expect(cached.metadata).toEqual({ name: 'rpc-0', namespace: 'sei', generation: 3, resourceVersion: '100', annotations: full.metadata.annotations });
    expect(cached.spec).toEqual({ paused: true });
    expect(cached.status).toEqual(full.status);
  });

  it('keeps of a PVC its identity only, and passes objects of another kind (a watch ERROR Status) untouched', () => {
    const claim = { kind: 'PersistentVolumeClaim', metadata: { name: 'data-rpc-0', namespace: 'sei', uid: 'c', resourceVersion: '7', labels: { a: 'b' } }, spec: { volumeName: 'pv' } };
    expect(cacheShape('PersistentVolumeClaim', claim as never)).toEqual({ kind: 'PersistentVolumeClaim', metadata: { name: 'data-rpc-0', namespace: 'sei', uid: 'c', resourceVersion: '7' } });
    const status = { kind: 'Status', metadata: {}, code: 410 };
    expect(cacheShape('StatefulSet', status as never)).toBe(status);
  });
});
