/**
 * Sets a condition the way apimachinery's meta.SetStatusCondition does: lastTransitionTime moves only when the
 * status flips, so re-stating the same facts yields an identical list (and no write).
 */
export function setCondition(conditions, next, now, observedGeneration) {
    const existing = conditions.find((c) => c.type === next.type);
    const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const condition = {
        type: next.type,
        status: next.status,
        reason: next.reason,
        message: next.message,
        lastTransitionTime,
        ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    };
    return existing ? conditions.map((c) => (c.type === next.type ? condition : c)) : [...conditions, condition];
}
export const conditionOf = (status, type) => status?.conditions?.find((c) => c.type === type);
/** Status equality as the API server would store it: key order and absent-vs-undefined do not matter. */
export function sameStatus(a, b) {
    return stable(a ?? {}) === stable(b ?? {});
}
function stable(value) {
    return JSON.stringify(value, (_, v) => v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.keys(v)
            .filter((k) => v[k] !== undefined)
            .sort()
            .map((k) => [k, v[k]]))
        : v);
}
