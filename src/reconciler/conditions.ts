import type { Condition, SeiNodeStatus } from './types.js';

/** RFC 3339 to the second, as metav1.Time serializes (conditions, origins, deletion records). */
export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export type ConditionInput = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

/**
 * Sets a condition the way apimachinery's meta.SetStatusCondition does: lastTransitionTime moves only when the
 * status flips, so re-stating the same facts yields an identical list (and no write).
 */
export function setCondition(
  conditions: readonly Condition[],
  next: ConditionInput,
  now: Date,
  observedGeneration: number | undefined,
): Condition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const lastTransitionTime =
    existing && existing.status === next.status ? existing.lastTransitionTime : rfc3339(now);
  const condition: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    message: next.message,
    lastTransitionTime,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  return existing ? conditions.map((c) => (c.type === next.type ? condition : c)) : [...conditions, condition];
}

export const conditionOf = (status: SeiNodeStatus | undefined, type: string): Condition | undefined =>
  status?.conditions?.find((c) => c.type === type);

/** Status equality as the API server would store it: key order and absent-vs-undefined do not matter. */
export function sameStatus(a: SeiNodeStatus | undefined, b: SeiNodeStatus | undefined): boolean {
  return stable(a ?? {}) === stable(b ?? {});
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .filter((k) => v[k] !== undefined)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
