import { FINGERPRINT_ANNOTATION } from '../contract.js';
/** The spec fields fixed at creation (immutable on a StatefulSet), as `managedFields` spells them under `f:spec`. */
export const CREATION_FIELDS = ['f:selector', 'f:serviceName', 'f:podManagementPolicy', 'f:volumeClaimTemplates'];
/**
 * Managers that own at least one creation field of the main resource, sorted. Entries for subresources (`status`
 * from the StatefulSet controller, `scale` from `kubectl scale` or an HPA) are left out: they cannot create.
 */
export function creatorsOf(managedFields) {
    const owners = (managedFields ?? [])
        .filter((e) => !e.subresource && e.fieldsType === 'FieldsV1' && ownsCreationField(e.fieldsV1))
        .map((e) => e.manager ?? '');
    return [...new Set(owners)].sort();
}
function ownsCreationField(fieldsV1) {
    const spec = fieldsV1?.['f:spec'];
    return typeof spec === 'object' && spec !== null && CREATION_FIELDS.some((f) => f in spec);
}
/** RFC 3339 to the second, as metav1.Time serializes. */
export const rfc3339 = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** The origin record of a StatefulSet seen now: from its ADDED event (`witnessed`) or found existing. */
export function originOf(sts, now, witnessed) {
    return { uid: sts.metadata?.uid ?? '', creators: creatorsOf(sts.metadata?.managedFields), firstSeen: rfc3339(now), witnessed };
}
/**
 * Two records of one UID (the one kept on the status, one taken in this process): the earliest sighting, the union of
 * the creators (a creator seen once stays a creator: laundering can only remove names), witnessed if either was.
 */
export function mergeOrigins(a, b) {
    if (!a || !b)
        return a ?? b;
    if (a.uid !== b.uid)
        throw new Error(`cannot merge the origins of two UIDs (${a.uid}, ${b.uid})`);
    return {
        uid: a.uid,
        creators: [...new Set([...a.creators, ...b.creators])].sort(),
        firstSeen: a.firstSeen <= b.firstSeen ? a.firstSeen : b.firstSeen,
        witnessed: a.witnessed || b.witnessed,
    };
}
export function provenanceOf(origin, sts, expectedFingerprint, allowedManagers) {
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
