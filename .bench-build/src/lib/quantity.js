/**
 * Kubernetes resource quantities (`500m`, `16Gi`, `1e3`), as the API server's own regular expression accepts them.
 * One source for the construct's synth-time check and for the CRD schema's `pattern`, so both say yes to the same set.
 */
export const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
const QUANTITY = new RegExp(QUANTITY_PATTERN);
export function isQuantity(value) {
    return typeof value === 'string' && QUANTITY.test(value);
}
const BINARY = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
/** The numeric value of a quantity (approximate for huge ones; good enough to compare a request with a limit). */
export function quantityValue(q) {
    if (!isQuantity(q))
        throw new Error(`not a quantity: ${JSON.stringify(q)}`);
    const m = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(.*)$/.exec(q);
    const [, num, suffix] = m;
    if (suffix in BINARY)
        return Number(num) * BINARY[suffix];
    if (suffix in DECIMAL)
        return Number(num) * DECIMAL[suffix];
    return Number(q); // exponent form, e.g. 1e3
}
