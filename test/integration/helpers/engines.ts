/**
 * GitOps in the integration tests: the real Argo CD and Flux apply engines (test/gitops, `sei-gitops-engines`),
 * never an imitation. Each call is one sync (Argo CD) or one reconcile (Flux) of the given manifests; what the
 * engine remembers between runs (Flux's inventory, Argo CD's tracked kinds) lives in a file per app/Kustomization.
 */
import * as k8s from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_GITOPS_IDENTITIES } from '../../../src/constructs/admission-policy.js';
import { KUBECONFIG } from './cluster.js';
import { ROOT, toYaml, type Manifest } from './manifests.js';

export interface EngineResource {
  kind: string;
  namespace?: string;
  name: string;
  /** Flux: Created/Configured/Unchanged/Deleted/Skipped; Argo CD: Synced/SyncFailed/Pruned/PruneSkipped. */
  action: string;
  message?: string;
}

export interface EngineRun {
  code: number;
  stderr: string;
  /** The engine's report (absent when it failed before syncing anything). */
  result?: { engine: 'flux' | 'argo'; phase: string; message?: string; resources: EngineResource[] };
}

/** Manifests, or a directory of YAML files (e.g. `distDir`). */
export type Source = Manifest[] | { dir: string };
export const distDir = { dir: join(ROOT, 'dist') };

function engineBinary(): string {
  const path = process.env.SEI_GITOPS_ENGINES;
  if (!path) throw new Error('SEI_GITOPS_ENGINES is not set: run the integration tests through Jest (global-setup.mjs builds the engines)');
  return path;
}

/** Where an app's / Kustomization's memory between runs lives: in the control plane's directory, gone with it. */
function stateFile(kind: 'argo' | 'flux', name: string): string {
  const dir = join(process.env.SEI_KUBE_DIR ?? '/tmp', 'gitops-engines');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${kind}-${name}.json`);
}

/**
 * The engines act as the service accounts they run as in a cluster (Argo CD's application controller, Flux's
 * kustomize-controller): the admin token impersonating that username (with system:masters for RBAC), so the admission
 * policy in dist/ sees the identity it would see in production.
 */
function engineKubeconfig(engine: string): string {
  const user = engine === 'flux' ? DEFAULT_GITOPS_IDENTITIES[1] : DEFAULT_GITOPS_IDENTITIES[0];
  const path = join(process.env.SEI_KUBE_DIR ?? '/tmp', `engine-${engine === 'flux' ? 'flux' : 'argo'}.kubeconfig`);
  if (!existsSync(path)) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(KUBECONFIG());
    const cluster = kc.getCurrentCluster()!;
    const admin = kc.getCurrentUser()!;
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: cluster.server, 'certificate-authority': cluster.caFile } }],
        users: [{ name: 'engine', user: { token: admin.token, as: user, 'as-groups': ['system:masters'] } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'engine' } }],
        'current-context': 'c',
      }),
    );
  }
  return path;
}

/** Runs the engines binary; never throws on a failed sync (tests assert on it). */
export function runEngine(args: string[], source?: Source): Promise<EngineRun> {
  const input = source && !('dir' in source) ? toYaml(source) : '';
  const positional = source ? ('dir' in source ? [source.dir] : ['-']) : [];
  return new Promise((resolve, reject) => {
    const child = spawn(engineBinary(), [...args, ...positional], { env: { ...process.env, KUBECONFIG: engineKubeconfig(args[0]) }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      let result: EngineRun['result'];
      try {
        result = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        result = undefined;
      }
      resolve({ code: code ?? 1, stderr, result });
    });
    child.stdin.end(input);
  });
}

async function ok(what: string, run: Promise<EngineRun>): Promise<EngineRun> {
  const r = await run;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r;
}

export interface ArgoOptions {
  /** The Application's name; default: the namespace. */
  app?: string;
  /** `ServerSideApply=true` (the README's recommended setting); default true. False: client-side apply. */
  serverSideApply?: boolean;
  /** `Replace=true`. */
  replace?: boolean;
  /** Sync strategy force (`argocd app sync --force`). */
  force?: boolean;
  /** Sync with prune. */
  prune?: boolean;
  /** More `syncOptions` entries, e.g. `PrunePropagationPolicy=background`. */
  syncOptions?: string[];
}

function argoArgs(namespace: string, o: ArgoOptions): string[] {
  const app = o.app ?? namespace;
  const opts = [...(o.syncOptions ?? [])];
  if (o.serverSideApply ?? true) opts.push('ServerSideApply=true');
  if (o.replace) opts.push('Replace=true');
  return [
    'argo', '--app', app, '--namespace', namespace, '--state', stateFile('argo', app),
    ...(o.prune ? ['--prune'] : []), ...(o.force ? ['--force'] : []),
    ...opts.flatMap((s) => ['--sync-option', s]),
  ];
}

/** One Argo CD sync of `source` into `namespace`; the result, whether it succeeded or not. */
export const argoSyncRun = (namespace: string, source: Source, o: ArgoOptions = {}) => runEngine(argoArgs(namespace, o), source);
/** One Argo CD sync that must succeed. */
export const argoSync = (namespace: string, source: Source, o: ArgoOptions = {}) =>
  ok(`Argo CD sync of ${namespace}`, argoSyncRun(namespace, source, o));
/** The Application deleted with cascade (foreground, Argo CD's default). */
export const argoDeleteApp = (namespace: string, o: { app?: string } = {}) => {
  const app = o.app ?? namespace;
  return runEngine(['argo', '--delete', '--app', app, '--namespace', namespace, '--state', stateFile('argo', app)]);
};

export interface FluxOptions {
  /** The Kustomization's name; default: the namespace. */
  name?: string;
  /** `spec.force`. */
  force?: boolean;
  /** `spec.prune`; default true (what Flux's getting-started and most fleets set). */
  prune?: boolean;
}

function fluxArgs(namespace: string, o: FluxOptions): string[] {
  const name = o.name ?? namespace;
  return ['flux', '--name', name, '--namespace', 'flux-system', '--inventory', stateFile('flux', name), ...((o.prune ?? true) ? ['--prune'] : []), ...(o.force ? ['--force'] : [])];
}

/** One kustomize-controller reconcile (apply, then prune what left the inventory); the result either way. */
export const fluxApplyRun = (namespace: string, source: Source, o: FluxOptions = {}) => runEngine(fluxArgs(namespace, o), source);
/** One kustomize-controller reconcile that must succeed. */
export const fluxApply = (namespace: string, source: Source, o: FluxOptions = {}) =>
  ok(`Flux reconcile of ${namespace}`, fluxApplyRun(namespace, source, o));
/** The Kustomization deleted: its finalizer (deletionPolicy MirrorPrune) deletes the inventory when prune is on. */
export const fluxDeleteKustomization = (namespace: string, o: FluxOptions = {}) => runEngine([...fluxArgs(namespace, o), '--delete']);

/** The action an engine reported for one object (undefined if it did not mention it). */
export const actionOf = (run: EngineRun, kind: string, name: string) =>
  run.result?.resources.find((r) => r.kind === kind && r.name === name)?.action;

/** `manager:operation` of every managedFields entry that owns spec on the main resource (not status/scale). */
export function specWriters(obj: { metadata?: { managedFields?: Array<{ manager?: string; operation?: string; subresource?: string; fieldsV1?: unknown }> } } | undefined): string[] {
  return [
    ...new Set(
      (obj?.metadata?.managedFields ?? [])
        .filter((e) => !e.subresource && typeof e.fieldsV1 === 'object' && e.fieldsV1 !== null && 'f:spec' in e.fieldsV1)
        .map((e) => `${e.manager}:${e.operation}`),
    ),
  ].sort();
}
