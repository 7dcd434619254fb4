/** The `--once` summary: one row per SeiNode, aligned columns, on stdout. */
export function summaryTable(outcomes) {
    const rows = [
        ['NAMESPACE', 'NAME', 'STATEFULSET', 'UID', 'ACTION', 'DETAIL'],
        ...outcomes.map((o) => {
            const [ns, name] = o.key.split('/');
            return [ns, name, o.statefulSet?.name ?? '-', o.statefulSet?.uid ?? '-', o.action, o.summary];
        }),
    ];
    const widths = rows[0].slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    return rows.map((r) => r.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join('  ')).join('\n') + '\n';
}
