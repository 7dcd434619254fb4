/**
 * A real, throw-away Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC, static tokens, service-account
 * signing) and kube-controller-manager (garbage collector, StatefulSet, service-account and namespace controllers).
 * There is no kubelet or scheduler: pods stay Pending, but Pod objects are created and deleted for real.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureBinaries, type KubeBinaries } from './build.js';

/** A user of the static token file, for tests that need another identity than the admin. */
export interface TestIdentity {
  readonly user: string;
  readonly token: string;
  readonly groups: readonly string[];
}

export interface ControlPlane {
  /** kubeconfig with the admin user (group system:masters) as its current context. */
  readonly kubeconfigPath: string;
  readonly server: string;
  readonly token: string;
  readonly caPath: string;
  /** Extra identities in the token file, by user name (no RBAC bindings: tests grant what they need). */
  readonly identities: Readonly<Record<string, TestIdentity>>;
  readonly binaries: KubeBinaries;
  readonly kubectl: string;
  /** Holds the certificates, keys, kubeconfigs, etcd data and each component's log. */
  readonly dir: string;
  /** A kubeconfig for one of `identities`. */
  kubeconfigFor(user: string): string;
  /** Stops kube-apiserver (SIGTERM) and starts it again on the same port and etcd; resolves when /readyz is ok. */
  restartApiServer(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Extra token-file users. @default ['impostor', 'reconciler'] */
  readonly users?: readonly string[];
  /** @default true when the binaries include it */
  readonly controllerManager?: boolean;
  /** Progress lines to stderr. @default true */
  readonly verbose?: boolean;
  /**
   * Tear down and exit on SIGINT/SIGTERM/SIGHUP. The `npm run kube` CLI turns this off: Ctrl-C belongs to the
   * command it runs (an interactive shell survives it), and the CLI tears down when the command exits.
   * @default true
   */
  readonly handleSignals?: boolean;
}

const READY_TIMEOUT_MS = 90_000;

/** A free TCP port on loopback (the control plane's, and tests' own servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a serving certificate for 127.0.0.1/localhost, and the service-account signing key. */
function writePki(dir: string): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sei-gitops-test-ca', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  writeFileSync(
    join(dir, 'serving.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'serving.key', '-out', 'serving.csr'], dir);
  openssl(['x509', '-req', '-in', 'serving.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'serving.ext', '-out', 'serving.crt'], dir);
  openssl(['genrsa', '-out', 'sa.key', '2048'], dir);
  openssl(['rsa', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
}

function kubeconfig(server: string, caPath: string, user: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sei-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${caPath}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    token: ${token}`,
    'contexts:',
    `- name: ${user}@sei-test`,
    '  context:',
    '    cluster: sei-test',
    `    user: ${user}`,
    `current-context: ${user}@sei-test`,
    '',
  ].join('\n');
}

/** GET a path with the admin token; resolves with the status code and body, never throws on HTTP errors. */
function get(server: string, ca: Buffer, token: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(`${server}${path}`, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

const tail = (file: string, lines = 30) => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
};

/** Every process this module started and has not stopped yet, and every temp dir not yet removed, for the exit handlers. */
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHandlerInstalled = false;
let signalHandlersInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Control-plane processes whose parent died without tearing them down (SIGKILLed test runner, say) are reparented to
 * init; kill them and remove their temp dirs, so a crash never leaves etcd or kube-apiserver running. A control plane
 * whose parent is alive (another run) is left alone.
 */
function reapOrphans(say: (msg: string) => void): void {
  if (!existsSync('/proc')) return;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline: string;
    let ppid: number;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    } catch {
      continue;
    }
    const dir = new RegExp(`(${tmpdir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/sei-kube-[A-Za-z0-9]+)/`).exec(cmdline)?.[1];
    if (!dir || ppid !== 1 || !/\/(etcd|kube-apiserver|kube-controller-manager) /.test(cmdline)) continue;
    say(`removing an orphaned control-plane process ${pid} (${dir})`);
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function killEverything(): void {
  running.forEach((c) => killGroup(c, 'SIGKILL'));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
}

function installExitHandlers(signals: boolean): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    // Last resort: a parent that exits takes its control plane with it.
    process.on('exit', killEverything);
  }
  if (signals && !signalHandlersInstalled) {
    signalHandlersInstalled = true;
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const)
      process.once(sig, () => {
        killEverything();
        process.exit(code);
      });
  }
}

function startProcess(name: string, bin: string, args: string[], dir: string): { child: ChildProcess; logPath: string } {
  const logPath = join(dir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  // detached: its own process group, so stop() reaches anything it forks.
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  running.add(child);
  child.on('exit', () => running.delete(child));
  return { child, logPath };
}

async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const verbose = options.verbose ?? true;
  const say = (msg: string) => verbose && process.stderr.write(`[kube] ${msg}\n`);
  const binaries = await ensureBinaries();
  installExitHandlers(options.handleSignals ?? true);
  reapOrphans(say);
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'sei-kube-'));
  dirs.add(dir);
  writePki(dir);

  const token = randomBytes(24).toString('hex');
  const identities: Record<string, TestIdentity> = {};
  for (const user of options.users ?? ['impostor', 'reconciler'])
    identities[user] = { user, token: randomBytes(24).toString('hex'), groups: [] };
  writeFileSync(
    join(dir, 'tokens.csv'),
    [`${token},admin,admin,"system:masters"`, ...Object.values(identities).map((i) => `${i.token},${i.user},${i.user}`)].join('\n') + '\n',
  );

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;
  const caPath = join(dir, 'ca.crt');
  const kubeconfigPath = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig(server, caPath, 'admin', token));

  const procs: { name: string; child: ChildProcess; logPath: string }[] = [];
  let apiServerArgs: string[] = [];
  const waitReady = async () => {
    const ca = readFileSync(caPath);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const etcd = procs.find((p) => p.name === 'etcd')!;
      const api = procs.find((p) => p.name === 'kube-apiserver')!;
      if (etcd.child.exitCode !== null) await fail(`etcd exited with ${etcd.child.exitCode}`, etcd.logPath);
      if (api.child.exitCode !== null) await fail(`kube-apiserver exited with ${api.child.exitCode}`, api.logPath);
      const ready = await get(server, ca, token, '/readyz');
      if (ready.status === 200) return;
      if (Date.now() > deadline) await fail(`kube-apiserver not ready after ${READY_TIMEOUT_MS / 1000}s: ${ready.body}`, api.logPath);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async () => {
    for (const p of [...procs].reverse()) await stopProcess(p.child);
    procs.length = 0;
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  };
  const fail = async (what: string, logPath: string): Promise<never> => {
    const log = tail(logPath);
    await stop();
    throw new Error(`${what}\n--- last lines of ${logPath} ---\n${log}`);
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    procs.push({
      name: 'etcd',
      ...startProcess('etcd', binaries.paths.etcd, [
        '--name=default',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        // Test data: durability buys nothing and fsync is most of etcd's latency on a shared disk.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ], dir),
    });

    apiServerArgs = [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'certs')}`,
        `--tls-cert-file=${join(dir, 'serving.crt')}`,
        `--tls-private-key-file=${join(dir, 'serving.key')}`,
        `--client-ca-file=${caPath}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        // Loopback is not a valid Endpoints address; nothing here needs the kubernetes Service's endpoints.
        '--endpoint-reconciler-type=none',
        '--enable-priority-and-fairness=false',
        '--v=1',
      ];
    procs.push({ name: 'kube-apiserver', ...startProcess('kube-apiserver', binaries.paths['kube-apiserver'], apiServerArgs, dir) });
    await waitReady();
    say(`kube-apiserver ${binaries.kubernetesVersion} ready at ${server} (${Math.round(performance.now() - t0)} ms)`);

    if ((options.controllerManager ?? true) && binaries.hasControllerManager) {
      procs.push({
        name: 'kube-controller-manager',
        ...startProcess('kube-controller-manager', binaries.paths['kube-controller-manager'], [
          `--kubeconfig=${kubeconfigPath}`,
          '--controllers=garbage-collector-controller,statefulset-controller,serviceaccount-controller,serviceaccount-token-controller,namespace-controller',
          `--service-account-private-key-file=${join(dir, 'sa.key')}`,
          `--root-ca-file=${caPath}`,
          '--leader-elect=false',
          // No serving endpoint: nothing scrapes it, and it would need another port and authn delegation.
          '--secure-port=0',
          '--v=1',
        ], dir),
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    kubeconfigPath,
    server,
    token,
    caPath,
    identities,
    binaries,
    kubectl: binaries.paths.kubectl,
    dir,
    async restartApiServer() {
      const i = procs.findIndex((p) => p.name === 'kube-apiserver');
      await stopProcess(procs[i].child);
      procs[i] = { name: 'kube-apiserver', ...startProcess('kube-apiserver', binaries.paths['kube-apiserver'], apiServerArgs, dir) };
      await waitReady();
    },
    kubeconfigFor(user: string) {
      const id = identities[user];
      if (!id) throw new Error(`no test identity ${user}; have ${Object.keys(identities).join(', ')}`);
      const path = join(dir, `${user}.kubeconfig`);
      writeFileSync(path, kubeconfig(server, caPath, user, id.token));
      return path;
    },
    stop,
  };
}
