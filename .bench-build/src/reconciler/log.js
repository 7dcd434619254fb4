const ORDER = { debug: 0, info: 1, warn: 2, error: 3 };
/** JSON lines, one per entry: {"ts", "level", "msg", ...fields}. */
export function jsonLogger(level, write = (l) => process.stderr.write(l)) {
    const at = (l) => (msg, fields = {}) => {
        if (ORDER[l] >= ORDER[level])
            write(`${JSON.stringify({ ts: new Date().toISOString(), level: l, msg, ...fields })}\n`);
    };
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
