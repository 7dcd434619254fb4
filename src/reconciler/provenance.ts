import type { V1ManagedFieldsEntry, V1StatefulSet } from '@kubernetes/client-node';
import { FINGERPRINT_ANNOTATION } from '../contract.js';

/**
 * Where a StatefulSet came from, judged only by what the API server records and a copy cannot fake:
 * - `verified`: its `sei.io/fingerprint` is the one the SeiNode expects AND every field manager that owns any of its
 *   spec (on the main resource) is an allowed GitOps manager;
 * - `pending`: the spec owners are all allowed but the fingerprint differs — GitOps may be midway through syncing a
 *   new SeiNode + StatefulSet pair, so wait (up to the grace period);
 * - `failed`: someone else owns spec (kubectl create, a client-side apply, a script), or no manager owns it at all.
 * Labels and annotations alone prove nothing: anyone can copy them, so a matching fingerprint is never enough.
 */
export type Verdict = 'verified' | 'pending' | 'failed';

export interface Provenance {
  readonly verdict: Verdict;
  /** Human-readable, for conditions and Events. */
  readonly reason: string;
  /** The managers that own spec fields of the main resource, sorted. */
  readonly specManagers: readonly string[];
}

/**
 * Managers that own at least one `f:spec` field of the main resource. Entries for subresources (`status` from the
 * StatefulSet controller, `scale` from `kubectl scale`) are left out: they are not the spec GitOps writes.
 */
export function specManagersOf(managedFields: readonly V1ManagedFieldsEntry[] | undefined): string[] {
  const owners = (managedFields ?? [])
    .filter((e) => !e.subresource && e.fieldsType === 'FieldsV1' && ownsSpec(e.fieldsV1))
    .map((e) => e.manager ?? '');
  return [...new Set(owners)].sort();
}

function ownsSpec(fieldsV1: unknown): boolean {
  return typeof fieldsV1 === 'object' && fieldsV1 !== null && 'f:spec' in fieldsV1;
}

export function provenanceOf(
  sts: V1StatefulSet,
  expectedFingerprint: string,
  allowedManagers: readonly string[],
): Provenance {
  const specManagers = specManagersOf(sts.metadata?.managedFields);
  const foreign = specManagers.filter((m) => !allowedManagers.includes(m));
  if (specManagers.length === 0)
    return { verdict: 'failed', specManagers, reason: 'no field manager owns its spec, so its origin cannot be proven' };
  if (foreign.length > 0)
    return {
      verdict: 'failed',
      specManagers,
      reason: `its spec is managed by ${foreign.map((m) => JSON.stringify(m)).join(', ')}, not by ${allowedManagers.join(' or ')}`,
    };
  const fingerprint = sts.metadata?.annotations?.[FINGERPRINT_ANNOTATION];
  if (fingerprint !== expectedFingerprint)
    return {
      verdict: 'pending',
      specManagers,
      reason: `its ${FINGERPRINT_ANNOTATION} ${fingerprint ? fingerprint.slice(0, 12) : '(none)'} is not the expected ${expectedFingerprint.slice(0, 12)}`,
    };
  return { verdict: 'verified', specManagers, reason: `fingerprint matches and its spec is managed by ${specManagers.join(', ')}` };
}
