/** Manifests for integration tests: what is committed in dist/, or a fleet synthesized by the project's own code. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { buildApp } from '../../../src/fleet.js';
export const ROOT = resolve(import.meta.dirname, '../../..');
const parse = (text) => parseAllDocuments(text).map((d) => d.toJS());
/** The committed CRD (dist/0000-*). */
export function distCrd() {
    const file = readdirSync(join(ROOT, 'dist')).find((f) => f.startsWith('0000-'));
    return parse(readFileSync(join(ROOT, 'dist', file), 'utf8'))[0];
}
const fleetFiles = () => readdirSync(join(ROOT, 'dist'))
    .filter((f) => !f.startsWith('0000-'))
    .sort()
    .flatMap((f) => parse(readFileSync(join(ROOT, 'dist', f), 'utf8')));
/** Cluster-scoped kinds in dist/ besides the CRD: not copied into a test's namespace. */
const CLUSTER_SCOPED = ['Namespace', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ClusterRole', 'ClusterRoleBinding'];
/** The cluster-scoped objects committed in dist/ besides the CRD (Namespace, admission policy). */
export function distClusterObjects() {
    return fleetFiles().filter((o) => CLUSTER_SCOPED.includes(o.kind));
}
/** Every namespaced object committed in dist/, moved into `namespace` so each test has its own copy. */
export function distObjects(namespace) {
    return fleetFiles()
        .filter((o) => !CLUSTER_SCOPED.includes(o.kind))
        .map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));
}
/** The namespace the committed fleet lives in. */
export function distNamespace() {
    return fleetFiles().find((o) => o.kind === 'Namespace').metadata.name;
}
/** The objects `buildApp` renders for one fleet (without the CRD chart). */
export function synthFleet(fleet) {
    const app = buildApp([fleet]);
    return app.charts.filter((c) => c.namespace === fleet.namespace).flatMap((c) => c.toJson());
}
export const toYaml = (objects) => objects.map((o) => stringify(o)).join('---\n');
