import { describe, expect, it } from '@jest/globals';
import { FlagError, parseDuration, parseFlags } from '../../../src/reconciler/flags.js';
import { summaryTable } from '../../../src/reconciler/summary.js';

describe('parseFlags', () => {
  it('defaults: all namespaces, Argo CD + Flux managers, 2m grace, Foreground, breaker 3 in 10m', () => {
    expect(parseFlags([])).toEqual({
      namespaces: [],
      policy: {
        allowedManagers: ['argocd-controller', 'argocd-application-controller', 'kustomize-controller'],
        graceSeconds: 120,
        dryRun: false,
        breaker: { maxDeletions: 3, fleetMaxDeletions: 10, windowSeconds: 600 },
      },
      propagation: 'Foreground',
      requestTimeoutMs: 30_000,
      resyncSeconds: 300,
      workers: 2,
      logLevel: 'info',
      once: false,
      help: false,
      leaderElection: { id: 'seinode-reconciler', timing: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } },
    });
  });

  it('--once reports and deletes nothing unless --delete is given; --delete needs --once and contradicts --dry-run', () => {
    expect(parseFlags(['--once']).policy.dryRun).toBe(true);
    expect(parseFlags(['--once', '--delete']).policy.dryRun).toBe(false);
    expect(parseFlags([]).policy.dryRun).toBe(false);
    expect(() => parseFlags(['--delete'])).toThrow(/--delete: only with --once/);
    expect(() => parseFlags(['--once', '--delete', '--dry-run'])).toThrow(/contradict/);
  });

  it('takes the fleet breaker and the request timeout', () => {
    expect(parseFlags(['--fleet-breaker-max', '4', '--request-timeout', '5s'])).toMatchObject({
      policy: { breaker: { fleetMaxDeletions: 4 } },
      requestTimeoutMs: 5000,
    });
    expect(() => parseFlags(['--request-timeout', '0s'])).toThrow(/--request-timeout: "0s" must be longer than 0s/);
    expect(() => parseFlags(['--fleet-breaker-max', '0'])).toThrow(/--fleet-breaker-max: "0" is not a positive integer/);
  });

  it('leader election: on by default, off with --once or --leader-elect=false, client-go timing rules enforced', () => {
    expect(parseFlags(['--once']).leaderElection).toBeUndefined();
    expect(parseFlags(['--leader-elect=false']).leaderElection).toBeUndefined();
    expect(
      parseFlags(['--leader-elect', '--leader-election-namespace', 'sei-system', '--leader-election-id', 'x', '--lease-duration', '4s', '--renew-deadline', '3s', '--retry-period', '1s'])
        .leaderElection,
    ).toEqual({ namespace: 'sei-system', id: 'x', timing: { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 1000 } });
  });

  it.each([
    [['--leader-elect=maybe'], '--leader-elect: "maybe" is not true or false'],
    [['--once', '--leader-elect'], '--leader-elect: --once is a single pass'],
    [['--leader-election-namespace', 'Bad_NS'], '--leader-election-namespace: "Bad_NS" is not a namespace name'],
    [['--lease-duration', '10s'], '--renew-deadline must be shorter than --lease-duration'],
    [['--retry-period', '10s'], '--retry-period must be shorter than --renew-deadline'],
    [['--retry-period', '0s'], '--retry-period: "0s" must be longer than 0s'],
  ])('leader election: %j is refused', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });

  it('takes repeatable and valued flags', () => {
    const f = parseFlags([
      '--kubeconfig=/k', '--namespace', 'a', '--namespace=b', '--allowed-manager', 'x', '--dry-run', '--grace', '90s',
      '--propagation', 'Background', '--breaker-max', '5', '--breaker-window', '1h', '--metrics-addr', ':9090', '--once',
    ]);
    expect(f).toMatchObject({
      kubeconfig: '/k',
      namespaces: ['a', 'b'],
      policy: { allowedManagers: ['x'], dryRun: true, graceSeconds: 90, breaker: { maxDeletions: 5, windowSeconds: 3600 } },
      propagation: 'Background',
      metricsAddr: { host: '0.0.0.0', port: 9090 },
      once: true,
    });
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--grace', 'soon'], /--grace: "soon" is not a duration/],
    [['--namespace', 'Not_A_Namespace'], /--namespace: "Not_A_Namespace" is not a namespace name/],
    [['--propagation', 'Never'], /--propagation: "Never" is not Foreground, Background or Orphan/],
    [['--breaker-max', '0'], /--breaker-max: "0" is not a positive integer/],
    [['--breaker-window', '0s'], /--breaker-window: "0s" must be longer than 0s/],
    [['--resync', '0'], /--resync: "0" must be longer than 0s/],
    [['--log-level', 'loud'], /--log-level: "loud"/],
    [['--metrics-addr', 'nowhere'], /--metrics-addr: "nowhere" is not HOST:PORT/],
    [['stray'], /Unexpected argument 'stray'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(FlagError);
    expect(() => parseFlags(argv)).toThrow(message);
  });

  it.each([
    ['90', 90],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['0s', 0],
  ])('parseDuration(%s) = %d', (text, seconds) => expect(parseDuration('x', text)).toBe(seconds));
});

describe('summaryTable (--once)', () => {
  it('aligns one row per SeiNode', () => {
    expect(
      summaryTable([
        { key: 'sei/rpc-0', action: 'adopt', statefulSet: { name: 'rpc-0', uid: 'u-1' }, summary: 'adopted' },
        { key: 'sei/archive-0', action: 'none', summary: 'no StatefulSet yet' },
      ]),
    ).toBe(
      'NAMESPACE  NAME       STATEFULSET  UID  ACTION  DETAIL\n' +
        'sei        rpc-0      rpc-0        u-1  adopt   adopted\n' +
        'sei        archive-0  -            -    none    no StatefulSet yet\n',
    );
  });
});
