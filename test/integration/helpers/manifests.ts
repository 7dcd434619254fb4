/** Manifests for integration tests: what is committed in dist/, or a fleet synthesized by the project's own code. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { RECONCILER_CHART, buildApp, type FleetSpec } from '../../../src/fleet.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; [k: string]: unknown }; spec?: any; [k: string]: unknown };

const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Manifest);

/** The committed CRD (dist/0000-*). */
export function distCrd(): Manifest {
  const file = readdirSync(join(ROOT, 'dist')).find((f) => f.startsWith('0000-'))!;
  return parse(readFileSync(join(ROOT, 'dist', file), 'utf8'))[0];
}

/** The committed reconciler deployment (dist/NNNN-seinode-reconciler.k8s.yaml). */
export function distReconciler(): Manifest[] {
  const file = readdirSync(join(ROOT, 'dist')).find((f) => f.endsWith(`-${RECONCILER_CHART}.k8s.yaml`))!;
  return parse(readFileSync(join(ROOT, 'dist', file), 'utf8'));
}

const fleetFiles = () =>
  readdirSync(join(ROOT, 'dist'))
    .filter((f) => !f.startsWith('0000-') && !f.endsWith(`-${RECONCILER_CHART}.k8s.yaml`))
    .sort()
    .flatMap((f) => parse(readFileSync(join(ROOT, 'dist', f), 'utf8')));

/** Cluster-scoped kinds in dist/ besides the CRD: not copied into a test's namespace. */
const CLUSTER_SCOPED = ['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterRole', 'ClusterRoleBinding'];

/** The cluster-scoped objects committed in dist/ besides the CRD (Namespace, admission policy). */
export function distClusterObjects(): Manifest[] {
  return fleetFiles().filter((o) => CLUSTER_SCOPED.includes(o.kind));
}

/** The committed fleet files as they are (the Namespace included): everything in dist/ but the 0000- file. */
export const distFleet = (): Manifest[] => fleetFiles();

/** Every namespaced object committed in dist/, moved into `namespace` so each test has its own copy. */
export function distObjects(namespace: string): Manifest[] {
  return fleetFiles()
    .filter((o) => !CLUSTER_SCOPED.includes(o.kind))
    .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
}

/** The namespace the committed fleet lives in. */
export function distNamespace(): string {
  return fleetFiles().find((o) => o.kind === 'Namespace')!.metadata.name;
}

/** The objects `buildApp` renders for one fleet (without the CRD chart). */
export function synthFleet(fleet: FleetSpec): Manifest[] {
  const app = buildApp([fleet]);
  return app.charts.filter((c) => c.namespace === fleet.namespace).flatMap((c) => c.toJson() as Manifest[]);
}

export const toYaml = (objects: Manifest[]) => objects.map((o) => stringify(o)).join('---\n');
