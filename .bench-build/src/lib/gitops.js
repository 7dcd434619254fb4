/**
 * Annotations that tell Argo CD and Flux how to treat what we render. Each is the tool's documented annotation.
 */
const ARGO_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';
/**
 * Never pruned, never deleted with the app: removing a node from Git must not take its chain data (PVC), and
 * removing the CRD would cascade to every SeiNode. Argo CD: `Prune=false,Delete=false`; Flux: `prune: disabled`.
 */
export function pruneProtection() {
    return { [ARGO_SYNC_OPTIONS]: 'Prune=false,Delete=false', [FLUX_PRUNE]: 'disabled' };
}
/** The CRD: prune-protected and in an earlier Argo CD sync wave than the SeiNodes (Flux applies CRDs first itself). */
export function crdGitOpsAnnotations() {
    return { ...pruneProtection(), [ARGO_SYNC_WAVE]: '-1' };
}
/**
 * A SeiNode: Argo CD's dry-run of a whole sync fails when the SeiNode kind is not yet known, before the CRD of the
 * same sync exists; this option skips that dry-run for the SeiNode only.
 */
export function seiNodeGitOpsAnnotations() {
    return { [ARGO_SYNC_OPTIONS]: 'SkipDryRunOnMissingResource=true' };
}
