import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { FINGERPRINT_ANNOTATION } from '../contract.js';
/**
 * The fingerprint of a rendered StatefulSet (DESIGN §2): hex SHA-256 of its canonical JSON (RFC 8785: keys sorted,
 * no whitespace), with the `sei.io/fingerprint` annotation itself left out — and the `annotations` map too when that
 * leaves it empty, so adding the annotation to an annotation-less object does not change what was hashed.
 */
export function fingerprintOf(statefulSet) {
    const json = canonicalize(withoutFingerprint(statefulSet));
    if (json === undefined)
        throw new Error('fingerprintOf: object has no JSON form');
    return createHash('sha256').update(json, 'utf8').digest('hex');
}
function withoutFingerprint(obj) {
    const copy = structuredClone(obj);
    const annotations = copy?.metadata?.annotations;
    if (annotations && FINGERPRINT_ANNOTATION in annotations) {
        delete annotations[FINGERPRINT_ANNOTATION];
        if (Object.keys(annotations).length === 0)
            delete copy.metadata.annotations;
    }
    return copy;
}
