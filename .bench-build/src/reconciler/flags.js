import { parseArgs } from 'node:util';
import { DEFAULT_ALLOWED_MANAGERS } from '../contract.js';
export const USAGE = `usage: seinode-reconciler [flags]

Records each SeiNode's StatefulSet {name, uid} on its status and deletes impostor StatefulSets (same name, not
written by Argo CD / Flux). Never writes StatefulSet spec.

  --kubeconfig PATH        kubeconfig to use (default: $KUBECONFIG, ~/.kube/config, or in-cluster)
  --namespace NS           watch this namespace; repeatable (default: all namespaces)
  --allowed-manager NAME   field manager that counts as GitOps; repeatable
                           (default: ${DEFAULT_ALLOWED_MANAGERS.join(', ')})
  --grace DURATION         how long a StatefulSet with allowed managers but another fingerprint may wait for GitOps
                           before it is an impostor (default: 2m; 90s, 5m, 1h or plain seconds)
  --dry-run                report impostors (condition + Event), delete nothing
  --propagation POLICY     Foreground | Background | Orphan for impostor deletes (default: Foreground, so the
                           impostor's pods are gone before GitOps can start new ones)
  --breaker-max N          impostor deletions allowed per node within the window (default: 3)
  --fleet-breaker-max N    impostor deletions allowed across all watched nodes within the window (default: 10)
  --breaker-window DUR     the churn breakers' window (default: 10m)
  --request-timeout DUR    abort an API call after this long and retry the node with backoff (default: 30s)
  --resync DURATION        re-check every SeiNode this often even without events (default: 5m)
  --workers N              SeiNodes reconciled in parallel (default: 2)
  --metrics-addr HOST:PORT serve /metrics and /healthz there (default: off)
  --log-level LEVEL        debug | info | warn | error (default: info); logs are JSON lines on stderr
  --once                   reconcile every SeiNode once, print a table of what was seen and done, exit; reports
                           impostors and deletes nothing unless --delete is given too
  --delete                 with --once: delete the impostors it finds (same safety rules as the running reconciler)
  -h, --help               this text`;
export class FlagError extends Error {
}
/** `90`, `90s`, `5m`, `1h`, `1h30m` → seconds. */
export function parseDuration(flag, value) {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(value.trim());
    if (!value.trim() || !m || (m[1] ?? m[2] ?? m[3]) === undefined)
        throw new FlagError(`--${flag}: ${JSON.stringify(value)} is not a duration such as 90s, 5m or 1h`);
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
/** A duration that must be above zero: a 0 s resync would spin, a 0 s breaker window would never trip. */
function positiveDuration(flag, value) {
    const seconds = parseDuration(flag, value);
    if (seconds <= 0)
        throw new FlagError(`--${flag}: ${JSON.stringify(value)} must be longer than 0s`);
    return seconds;
}
function positiveInt(flag, value) {
    if (!/^\d+$/.test(value) || Number(value) < 1)
        throw new FlagError(`--${flag}: ${JSON.stringify(value)} is not a positive integer`);
    return Number(value);
}
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export function parseFlags(argv) {
    let values;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                kubeconfig: { type: 'string' },
                namespace: { type: 'string', multiple: true },
                'allowed-manager': { type: 'string', multiple: true },
                grace: { type: 'string' },
                'dry-run': { type: 'boolean' },
                propagation: { type: 'string' },
                'breaker-max': { type: 'string' },
                'fleet-breaker-max': { type: 'string' },
                'request-timeout': { type: 'string' },
                delete: { type: 'boolean' },
                'breaker-window': { type: 'string' },
                resync: { type: 'string' },
                workers: { type: 'string' },
                'metrics-addr': { type: 'string' },
                'log-level': { type: 'string' },
                once: { type: 'boolean' },
                help: { type: 'boolean', short: 'h' },
            },
        }));
    }
    catch (e) {
        throw new FlagError(e.message);
    }
    const namespaces = values.namespace ?? [];
    for (const ns of namespaces)
        if (!NAMESPACE.test(ns) || ns.length > 63)
            throw new FlagError(`--namespace: ${JSON.stringify(ns)} is not a namespace name`);
    const allowedManagers = values['allowed-manager'] ?? [...DEFAULT_ALLOWED_MANAGERS];
    if (allowedManagers.some((m) => m.trim() === ''))
        throw new FlagError('--allowed-manager: empty manager name');
    const propagation = values.propagation ?? 'Foreground';
    if (!['Foreground', 'Background', 'Orphan'].includes(propagation))
        throw new FlagError(`--propagation: ${JSON.stringify(propagation)} is not Foreground, Background or Orphan`);
    const logLevel = values['log-level'] ?? 'info';
    if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
        throw new FlagError(`--log-level: ${JSON.stringify(logLevel)} is not debug, info, warn or error`);
    let metricsAddr;
    if (values['metrics-addr'] !== undefined) {
        const m = /^(.*):(\d{1,5})$/.exec(values['metrics-addr']);
        if (!m || Number(m[2]) > 65535)
            throw new FlagError(`--metrics-addr: ${JSON.stringify(values['metrics-addr'])} is not HOST:PORT`);
        metricsAddr = { host: m[1] || '0.0.0.0', port: Number(m[2]) };
    }
    const once = values.once ?? false;
    if (values.delete && !once)
        throw new FlagError('--delete: only with --once (the running reconciler deletes impostors unless --dry-run)');
    if (values.delete && values['dry-run'])
        throw new FlagError('--delete and --dry-run contradict each other');
    return {
        ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
        namespaces,
        policy: {
            allowedManagers,
            graceSeconds: parseDuration('grace', values.grace ?? '2m'),
            // A one-shot run is a look at a fleet: it deletes only when asked to (--delete).
            dryRun: (values['dry-run'] ?? false) || (once && !values.delete),
            breaker: {
                maxDeletions: positiveInt('breaker-max', values['breaker-max'] ?? '3'),
                fleetMaxDeletions: positiveInt('fleet-breaker-max', values['fleet-breaker-max'] ?? '10'),
                windowSeconds: positiveDuration('breaker-window', values['breaker-window'] ?? '10m'),
            },
        },
        propagation: propagation,
        resyncSeconds: positiveDuration('resync', values.resync ?? '5m'),
        workers: positiveInt('workers', values.workers ?? '2'),
        ...(metricsAddr ? { metricsAddr } : {}),
        logLevel: logLevel,
        once,
        requestTimeoutMs: positiveDuration('request-timeout', values['request-timeout'] ?? '30s') * 1000,
        help: values.help ?? false,
    };
}
