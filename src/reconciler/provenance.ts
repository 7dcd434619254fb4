import type { V1ManagedFieldsEntry, V1StatefulSet } from '@kubernetes/client-node';
import { FINGERPRINT_ANNOTATION } from '../contract.js';
import { rfc3339 } from './conditions.js';
import type { Origin } from './types.js';

/**
 * Where a StatefulSet came from, judged by who CREATED it — not by who touched it since.
 *
 * A StatefulSet's creation-time fields cannot change in place (`spec.selector`, `spec.serviceName`,
 * `spec.podManagementPolicy`, `spec.volumeClaimTemplates`: the API server rejects an update of them), so the field
 * managers that own them are the creator and whoever later applied the very same values. Later writers of mutable
 * fields — `kubectl rollout restart` (kubectl-rollout, a template annotation), `kubectl edit/patch/set`, `kubectl
 * scale`, an HPA/VPA — never own them, so they never make a GitOps StatefulSet an impostor. A hand-made StatefulSet
 * stays one after an engine co-applies it: the engine shares those fields, the creator keeps them.
 *
 * One engine rewrites history: Flux's apply removes foreign managers from `managedFields` (it "launders" a
 * `kubectl create`d object into a single kustomize-controller entry). So the creators are recorded the first time a
 * UID is seen — at the watch's ADDED event, before any later apply — and kept on the SeiNode status (`Origin`).
 *
 * Verdicts, from that record and the live object:
 * - `verified`: every creator is an allowed GitOps manager AND the `sei.io/fingerprint` is the one the SeiNode expects;
 * - `pending`: allowed creators, another fingerprint — GitOps may be midway through syncing a new SeiNode +
 *   StatefulSet pair, so wait (up to the grace period);
 * - `failed`: a creator is not an allowed manager (kubectl create, a client-side apply, Helm, a script), or nobody
 *   owns the creation fields, so the origin cannot be proven.
 * Labels and annotations alone prove nothing: anyone can copy them, so a matching fingerprint is never enough.
 */
export type Verdict = 'verified' | 'pending' | 'failed';

export interface Provenance {
  readonly verdict: Verdict;
  /** Human-readable, for conditions and Events. */
  readonly reason: string;
}

/** The spec fields fixed at creation (immutable on a StatefulSet), as `managedFields` spells them under `f:spec`. */
export const CREATION_FIELDS: readonly string[] = ['f:selector', 'f:serviceName', 'f:podManagementPolicy', 'f:volumeClaimTemplates'];

/**
 * Managers that own at least one creation field of the main resource, sorted. Entries for subresources (`status`
 * from the StatefulSet controller, `scale` from `kubectl scale` or an HPA) are left out: they cannot create.
 */
export function creatorsOf(managedFields: readonly V1ManagedFieldsEntry[] | undefined): string[] {
  const owners = (managedFields ?? [])
    .filter((e) => !e.subresource && e.fieldsType === 'FieldsV1' && ownsCreationField(e.fieldsV1))
    .map((e) => e.manager ?? '');
  return [...new Set(owners)].sort();
}

function ownsCreationField(fieldsV1: unknown): boolean {
  const spec = (fieldsV1 as Record<string, unknown> | null | undefined)?.['f:spec'];
  return typeof spec === 'object' && spec !== null && CREATION_FIELDS.some((f) => f in spec);
}

/** The origin record of a StatefulSet seen now: from its ADDED event (`witnessed`) or found existing. */
export function originOf(sts: V1StatefulSet, now: Date, witnessed: boolean): Origin {
  return { uid: sts.metadata?.uid ?? '', creators: creatorsOf(sts.metadata?.managedFields), firstSeen: rfc3339(now), witnessed };
}

/**
 * Two records of one UID (the one kept on the status, one taken in this process): the earliest sighting, the union of
 * the creators (a creator seen once stays a creator: laundering can only remove names), witnessed if either was.
 */
export function mergeOrigins(a: Origin | undefined, b: Origin | undefined): Origin | undefined {
  if (!a || !b) return a ?? b;
  if (a.uid !== b.uid) throw new Error(`cannot merge the origins of two UIDs (${a.uid}, ${b.uid})`);
  return {
    uid: a.uid,
    creators: [...new Set([...a.creators, ...b.creators])].sort(),
    firstSeen: a.firstSeen <= b.firstSeen ? a.firstSeen : b.firstSeen,
    witnessed: a.witnessed || b.witnessed,
  };
}

export function provenanceOf(
  origin: Origin,
  sts: V1StatefulSet,
  expectedFingerprint: string,
  allowedManagers: readonly string[],
): Provenance {
  const { creators } = origin;
  const foreign = creators.filter((m) => !allowedManagers.includes(m));
  if (creators.length === 0)
    return { verdict: 'failed', reason: 'no field manager owns its creation fields (selector, serviceName), so its origin cannot be proven' };
  if (foreign.length > 0)
    return {
      verdict: 'failed',
      reason: `it was created by ${foreign.map((m) => JSON.stringify(m)).join(', ')}, not by ${allowedManagers.join(' or ')}`,
    };
  const fingerprint = sts.metadata?.annotations?.[FINGERPRINT_ANNOTATION];
  if (fingerprint !== expectedFingerprint)
    return {
      verdict: 'pending',
      reason: `its ${FINGERPRINT_ANNOTATION} ${fingerprint ? fingerprint.slice(0, 12) : '(none)'} is not the expected ${expectedFingerprint.slice(0, 12)}`,
    };
  return { verdict: 'verified', reason: `fingerprint matches and it was created by ${creators.join(', ')}` };
}
