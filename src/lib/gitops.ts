/**
 * Annotations that tell Argo CD and Flux how to treat what we render. Each is the tool's documented annotation.
 */
const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
const FLUX_SSA = 'kustomize.toolkit.fluxcd.io/ssa';

/**
 * Never pruned, never deleted with the app: removing a node from Git must not take its chain data (PVC), and
 * removing the CRD would cascade to every SeiNode. Argo CD: `Prune=false,Delete=false`; Flux: `prune: disabled`.
 */
export function pruneProtection(): Record<string, string> {
  return { [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false', [FLUX_PRUNE]: 'disabled' };
}

/** The CRD: prune-protected and in an earlier Argo CD sync wave than the SeiNodes (Flux applies CRDs first itself). */
export function crdGitOpsAnnotations(): Record<string, string> {
  return { ...pruneProtection(), [ARGO_SYNC_WAVE]: '-1' };
}

/**
 * A SeiNode: Argo CD's dry-run of a whole sync fails when the SeiNode kind is not yet known, before the CRD of the
 * same sync exists; this option skips that dry-run for the SeiNode only.
 */
export function seiNodeGitOpsAnnotations(): Record<string, string> {
  return { [ARGO_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' };
}

/**
 * A node's data PVC: prune- and delete-protected, and created by Flux but never applied again
 * (`kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`). Without it, a Kustomization with `force: true` deletes and
 * recreates the PVC whenever an edit in Git touches an immutable field (storage class, access modes): fluxcd/pkg/ssa
 * v0.61.0 recreates on any immutable-field error, and its `force` annotation can only enable that, never disable it
 * (ResourceManager.shouldForceApply / shouldSkipApply in manager_apply.go). The price: a size change in Git is not
 * applied to an existing PVC by Flux; expand it with `kubectl patch` (README, "Chain data").
 *
 * Argo CD has no per-object defence against an app-level `Replace=true` or `Force=true` (gitops-engine honours
 * `Replace=true` per object but ignores `Replace=false`); the ChainDataProtection admission policy refuses the delete.
 */
export function dataClaimGitOpsAnnotations(): Record<string, string> {
  return { ...pruneProtection(), [FLUX_SSA]: 'IfNotPresent' };
}
