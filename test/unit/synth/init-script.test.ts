import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SeiNodeProps } from '../../../src/constructs/seinode.js';
import { KNOWN_CHAINS, vendoredGenesisGzip } from '../../../src/lib/chains.js';
import { FakeRpc, blockHash, closedPort } from './fake-rpc.js';
import { PEER_ID, baseProps, renderNode } from './render.js';

/**
 * The init container's script, run by a real `sh` against a real directory tree, with a loopback fake RPC server
 * (fake-rpc.ts) where it needs the network. Its absolute paths (/sei, the volume; /secrets, the key Secrets) are
 * rebased under a temp dir, and so is the genesis ConfigMap's mount in GENESIS_SOURCE. `seid` is a stand-in.
 *
 * The seid image has busybox (alpine:3.18), so every case runs twice: with the machine's own tools (dash, GNU wget,
 * tar, awk) and with busybox applets alone on PATH (Debian's busybox 1.35, built with fewer options than Alpine's:
 * what runs here runs there). The busybox pass is skipped, saying so, where busybox is not installed.
 */
const FAKE_SEID = String.raw`#!/bin/sh
# A stand-in for seid v6.1.0. init: what seid init does to a home (config.toml with the [statesync] lines of the real
# template, keys, a placeholder genesis, the sign state). tendermint show-node-id: the ID written in node_key.json
# (a real seid derives it from the key).
case "$1" in
init)
  home="$6"
  echo "$*" >> "$home/../seid-calls"
  mkdir -p "$home/config" "$home/data"
  [ -f "$home/config/genesis.json" ] && { echo "genesis.json exists" >&2; exit 1; }
  echo '{"chain_id":"'"$4"'","validators":[]}' > "$home/config/genesis.json"
  printf '%s\n' 'mode = "full"' '[rpc]' 'laddr = "tcp://127.0.0.1:26657"' 'timeout-read = "10s"' '' '[p2p]' 'persistent-peers = ""' 'pex = true' '[statesync]' 'enable = false' 'rpc-servers = ""' \
    'trust-height = 0' 'trust-hash = ""' 'trust-period = "168h0m0s"' '[consensus]' 'wal-file = "data/cs.wal/wal"' \
    '[db-sync]' 'trust-height = 0' 'trust-hash = ""' > "$home/config/config.toml"
  echo generated > "$home/config/priv_validator_key.json"
  echo '{"id":"ffffffffffffffffffffffffffffffffffffffff"}' > "$home/config/node_key.json"
  echo '{"height":"0","round":0,"step":0}' > "$home/data/priv_validator_state.json"
  ;;
tendermint)
  [ "$2" = show-node-id ] || exit 2
  sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' "$4/config/node_key.json"
  ;;
*) echo "unexpected: seid $*" >&2; exit 2 ;;
esac
`;

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const SIGN_STATE = '{"height":"1234","round":0,"step":3}';

/** The applets the script and the stand-in seid use; in the busybox pass they are the only commands on PATH. */
const APPLETS = ['sh', 'wget', 'timeout', 'tar', 'gzip', 'gunzip', 'awk', 'sed', 'tr', 'cut', 'sha256sum', 'mv', 'cp', 'rm',
  'mkdir', 'chmod', 'touch', 'cat', 'echo', 'printf', 'ls', '['];
const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find((p) => existsSync(p));
const TOOLSETS: ('system' | 'busybox')[] = ['system', 'busybox'];
let toolset: 'system' | 'busybox' = 'system';

let root: string;
const servers: FakeRpc[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function rpc(latestHeight: number, options: Partial<ConstructorParameters<typeof FakeRpc>[0]> = {}) {
  const server = await new FakeRpc({ latestHeight, ...options }).start();
  servers.push(server);
  return server;
}

/** Renders a node, lays out its volume, Secrets and genesis mount under a temp root, and returns a runner. */
function setUp(props: SeiNodeProps, genesisGzip: Buffer = vendoredGenesisGzip(props.chainId)) {
  root = mkdtempSync(join(tmpdir(), 'sei-init-'));
  const init = renderNode(props).statefulSet.spec.template.spec.initContainers[0];
  expect(init.command).toEqual(['sh', '-c']);
  const script = (init.args[0] as string).replaceAll('/sei', `${root}/sei`).replaceAll('/secrets', `${root}/secrets`);
  const env: Record<string, string> = Object.fromEntries(init.env.map((e: { name: string; value: string }) => [e.name, e.value]));
  if (env.GENESIS_SOURCE?.startsWith('/')) env.GENESIS_SOURCE = `${root}${env.GENESIS_SOURCE}`;
  mkdirSync(join(root, 'bin'));
  if (toolset === 'busybox') for (const applet of APPLETS) symlinkSync(BUSYBOX!, join(root, 'bin', applet));
  const PATH = toolset === 'busybox' ? `${root}/bin` : `${root}/bin:${process.env.PATH}`;
  writeFileSync(join(root, 'bin/seid'), FAKE_SEID.replace('#!/bin/sh', `#!${toolset === 'busybox' ? `${root}/bin/sh` : '/bin/sh'}`));
  chmodSync(join(root, 'bin/seid'), 0o755);
  mkdirSync(join(root, 'sei')); // the empty volume
  mkdirSync(join(root, 'genesis'));
  writeFileSync(join(root, 'genesis/genesis.json.gz'), genesisGzip);
  for (const [dir, file, content] of [
    ['signing-key', 'priv_validator_key.json', 'from-secret priv_validator_key.json'],
    ['node-key', 'node_key.json', `{"id":"${PEER_ID}"}`],
  ]) {
    mkdirSync(join(root, 'secrets', dir), { recursive: true });
    writeFileSync(join(root, 'secrets', dir, file), content);
  }
  /** Runs the script; resolves to its exit code and stderr (async: the fake RPC servers live in this process). */
  const run = (extraEnv: Record<string, string> = {}) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        toolset === 'busybox' ? `${root}/bin/sh` : 'sh',
        ['-c', script],
        { env: { ...env, ...extraEnv, PATH }, encoding: 'utf8', timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
  const ok = async (extraEnv: Record<string, string> = {}) => {
    const result = await run(extraEnv);
    if (result.code !== 0) throw new Error(`init script failed (${result.code}):\n${result.stderr}`);
    return result.stderr;
  };
  const path = (p: string) => join(root, 'sei', p);
  const read = (p: string) => readFileSync(path(p), 'utf8');
  const calls = () => (existsSync(join(root, 'seid-calls')) ? readFileSync(join(root, 'seid-calls'), 'utf8').trim().split('\n') : []);
  return { run, ok, path, read, calls, env };
}

const validator = (over: Partial<SeiNodeProps> = {}) =>
  baseProps({ fullNode: undefined, validator: { signingKeySecret: 's', nodeKeySecret: 'n' }, peers: [`${PEER_ID}@a:26656`], ...over });
const stateSync = (rpcServers: string[], trustHeightOffset = 100): Partial<SeiNodeProps> => ({
  bootstrap: { stateSync: { rpcServers, trustHeightOffset } },
});

describe.each(TOOLSETS)('with %s tools', (tools) => {
  const maybe = tools === 'busybox' && !BUSYBOX ? describe.skip : describe;
  beforeEach(() => {
    toolset = tools;
  });
  // Skipped only where busybox is not installed (apt-get install busybox; .ci/run installs it when it can).
  maybe('the init container script', () => {
  describe('first boot and restart', () => {
    it('a fresh volume gets seid init once and the verified genesis; a restart overwrites nothing', async () => {
      const { ok, read, path, calls } = setUp(baseProps());
      const log = await ok();
      expect(calls()).toEqual([`init rpc-0 --chain-id pacific-1 --home ${root}/sei`]);
      expect(sha256(readFileSync(path('config/genesis.json')))).toBe(KNOWN_CHAINS['pacific-1'].genesisSha256);
      expect(log).toContain(`sei-init: genesis: installed pacific-1 genesis (sha256 ${KNOWN_CHAINS['pacific-1'].genesisSha256})`);
      // The operator's edits and the node's own key survive a restart; seid init does not run again.
      writeFileSync(path('config/config.toml'), 'edited by hand\n');
      const genesisBefore = statSync(path('config/genesis.json')).mtimeMs;
      await ok();
      expect(calls()).toHaveLength(1);
      expect(read('config/config.toml')).toBe('edited by hand\n');
      expect(read('config/node_key.json')).toContain('ffffffffff');
      expect(statSync(path('config/genesis.json')).mtimeMs).toBe(genesisBefore);
      expect(existsSync(path('config/genesis.json.download'))).toBe(false);
    });

    it('atlantic-2 and arctic-1 genesis files install the same way (the large ones)', async () => {
      for (const chainId of ['atlantic-2', 'arctic-1']) {
        const { ok, path } = setUp(baseProps({ chainId }));
        await ok();
        expect(sha256(readFileSync(path('config/genesis.json')))).toBe(KNOWN_CHAINS[chainId].genesisSha256);
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('a genesis that is not the chain\'s is refused', () => {
    it('a ConfigMap whose genesis has another hash: refused with a clear log line, the placeholder left, nothing half-written', async () => {
      const tampered = Buffer.from('{"chain_id":"pacific-1","validators":["someone else"]}');
      const { run, read, path } = setUp(baseProps(), gzipSync(tampered));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(
        `sei-init: genesis: ${root}/genesis/genesis.json.gz has sha256 ${sha256(tampered)}, expected ${KNOWN_CHAINS['pacific-1'].genesisSha256} for pacific-1: refusing to install it`,
      );
      expect(JSON.parse(read('config/genesis.json')).validators).toEqual([]); // still seid init's placeholder
      expect(existsSync(path('config/genesis.json.download'))).toBe(false);
    });

    it('a node with chain data and another genesis: refused, its genesis and data untouched', async () => {
      const { run, ok, read, path } = setUp(baseProps());
      await ok();
      mkdirSync(path('data/blockstore.db'));
      writeFileSync(path('config/genesis.json'), '{"chain_id":"pacific-1","from":"an older fleet"}');
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/sei-init: genesis: config\/genesis.json has sha256 [0-9a-f]{64}, not [0-9a-f]{64} \(pacific-1\), and this node has chain data: refusing to replace it/);
      expect(read('config/genesis.json')).toBe('{"chain_id":"pacific-1","from":"an older fleet"}');
      expect(existsSync(path('data/blockstore.db'))).toBe(true);
    });

    it('a chain that is not vendored: the genesis is downloaded and checked', async () => {
      const genesis = Buffer.from('{"chain_id":"my-devnet-1","validators":[{"name":"v0"}]}');
      const server = await rpc(1, { files: { '/genesis.json': genesis } });
      const good = baseProps({ chainId: 'my-devnet-1', genesis: { url: `${server.url}/genesis.json`, sha256: sha256(genesis) } });
      const { ok, read } = setUp(good, Buffer.alloc(0));
      await ok();
      expect(read('config/genesis.json')).toBe(genesis.toString());
      rmSync(root, { recursive: true, force: true });

      const bad = baseProps({ chainId: 'my-devnet-1', genesis: { url: `${server.url}/genesis.json`, sha256: 'ab'.repeat(32) } });
      const { run } = setUp(bad, Buffer.alloc(0));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(`expected ${'ab'.repeat(32)} for my-devnet-1: refusing to install it`);
    });
  });

  describe('state sync: a trust height and hash every RPC server agrees on, looked up on first boot only', () => {
    it('servers that agree: trust height = lowest latest height - offset, its hash, written into [statesync] only', async () => {
      const a = await rpc(500_000);
      const b = await rpc(500_020, { envelope: true });
      const { ok, read, path } = setUp(baseProps(stateSync([a.url, b.url])));
      const log = await ok();
      const toml = read('config/config.toml');
      expect(toml).toContain(`[statesync]\nenable = false\nrpc-servers = ""\ntrust-height = 499900\ntrust-hash = "${blockHash(499_900)}"\n`);
      expect(toml).toContain('[db-sync]\ntrust-height = 0\ntrust-hash = ""'); // another section's keys of the same name
      expect(log).toContain(`sei-init: state sync: trust height 499900, hash ${blockHash(499_900)}`);
      expect(a.requests).toEqual(['/status', '/block?height=499900']);
      expect(b.requests).toEqual(['/status', '/block?height=499900']);
      expect(existsSync(path('.bootstrapped'))).toBe(true);

      // Restart: no lookup (the servers are not asked again, even if they would now disagree), nothing rewritten.
      writeFileSync(path('config/config.toml'), toml.replace('enable = false', 'enable = true'));
      await ok();
      expect(a.requests).toHaveLength(2);
      expect(read('config/config.toml')).toContain('enable = true');
    });

    it('servers that disagree on the block: refused, naming both, and config.toml untouched', async () => {
      const a = await rpc(300_000);
      const b = await rpc(300_000, { fork: 'other' });
      const { run, read, path } = setUp(baseProps(stateSync([a.url, b.url])));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(
        `sei-init: state sync: RPC servers disagree on block 299900: ${a.url} says ${blockHash(299_900)}, ${b.url} says ${blockHash(299_900, 'other')}; refusing to trust either`,
      );
      expect(read('config/config.toml')).toContain('trust-height = 0\ntrust-hash = ""');
      expect(existsSync(path('.bootstrapped'))).toBe(false);
    });

    it('an unreachable server: refused, naming it; the next start tries again', async () => {
      const a = await rpc(300_000);
      const down = await closedPort();
      const { run, read, path } = setUp(baseProps(stateSync([a.url, down])));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(`sei-init: state sync: RPC server ${down} is unreachable (GET ${down}/status failed)`);
      expect(read('config/config.toml')).toContain('trust-height = 0');
      expect(existsSync(path('.bootstrapped'))).toBe(false);
    });

    it('a server that answers something other than a status (a proxy\'s error page): refused, naming it', async () => {
      const a = await rpc(300_000);
      const b = await rpc(300_000, { files: { '/status': Buffer.from('<html><body>502 Bad Gateway</body></html>') } });
      const { run, path } = setUp(baseProps(stateSync([a.url, b.url])));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(`sei-init: state sync: ${b.url}/status has no latest_block_height`);
      expect(existsSync(path('.bootstrapped'))).toBe(false);
    });

    it('a volume that already has chain data (a node from before this script) is not bootstrapped', async () => {
      const a = await rpc(300_000);
      const b = await rpc(300_000);
      const { ok, path, read } = setUp(baseProps(stateSync([a.url, b.url])));
      // A node from before: seid init ran, the chain's genesis is in place, the node has synced blocks.
      execFileSync(join(root, 'bin/seid'), ['init', 'rpc-0', '--chain-id', 'pacific-1', '--home', path('')]);
      writeFileSync(path('config/genesis.json'), gunzipSync(vendoredGenesisGzip('pacific-1')));
      mkdirSync(path('data/application.db'));
      const log = await ok();
      expect(log).toContain('sei-init: bootstrap: the volume already has chain data; not bootstrapping it');
      expect(a.requests).toEqual([]);
      expect(read('config/config.toml')).toContain('trust-height = 0');
    });
  });

  describe('snapshot restore', () => {
    function archive(): Buffer {
      const dir = mkdtempSync(join(tmpdir(), 'sei-snap-'));
      try {
        mkdirSync(join(dir, 'data/application.db'), { recursive: true });
        writeFileSync(join(dir, 'data/application.db/000001.log'), 'state');
        writeFileSync(join(dir, 'data/priv_validator_state.json'), '{"height":"999999","round":0,"step":3}');
        mkdirSync(join(dir, 'wasm'));
        writeFileSync(join(dir, 'wasm/code'), 'wasm');
        return execFileSync('tar', ['-czf', '-', '-C', dir, 'data', 'wasm']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }

    it('restores data/ and wasm/ once (never config/), keeps the node\'s own sign state, and refuses a wrong sha256', async () => {
      const tgz = archive();
      const server = await rpc(1, { files: { '/snap.tar.gz': tgz } });
      const props = validator({ bootstrap: { snapshot: { url: `${server.url}/snap.tar.gz`, sha256: sha256(tgz) } } });
      const { ok, read, path } = setUp(props);
      const log = await ok();
      expect(log).toContain(`sei-init: snapshot: restored ${server.url}/snap.tar.gz`);
      expect(read('data/application.db/000001.log')).toBe('state');
      expect(read('wasm/code')).toBe('wasm');
      expect(JSON.parse(read('data/priv_validator_state.json'))).toEqual({ height: '0', round: 0, step: 0 });
      expect(readdirSync(path('tmp'))).toEqual([]);
      await ok();
      expect(server.requests).toEqual(['/snap.tar.gz']);
      rmSync(root, { recursive: true, force: true });

      const wrong = validator({ bootstrap: { snapshot: { url: `${server.url}/snap.tar.gz`, sha256: 'ab'.repeat(32) } } });
      const second = setUp(wrong);
      const { code, stderr } = await second.run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(`has sha256 ${sha256(tgz)}, expected ${'ab'.repeat(32)}: refusing to restore it`);
      expect(existsSync(second.path('data/application.db'))).toBe(false);
    });
  });

  describe('the readiness lag threshold', () => {
    it('is written under [rpc] (no env var reaches it), replaced when it changes, never duplicated', async () => {
      const { ok, read } = setUp(baseProps({ maxLagBlocks: 50 }));
      await ok();
      expect(read('config/config.toml')).toContain('[rpc]\nladdr = "tcp://127.0.0.1:26657"\ntimeout-read = "10s"\n\nlag-threshold = 50\n[p2p]');
      await ok({ LAG_THRESHOLD: '120' });
      const toml = read('config/config.toml');
      expect(toml.match(/lag-threshold/g)).toHaveLength(1);
      expect(toml).toContain('lag-threshold = 120\n[p2p]');
    });

    it('is left alone when not asked for', async () => {
      const { ok, read } = setUp(baseProps());
      await ok();
      expect(read('config/config.toml')).not.toContain('lag-threshold');
    });
  });

  describe('keys', () => {
    it('a validator gets its Secret keys installed 0600 over the generated ones, on every start', async () => {
      const { ok, path, read } = setUp(validator());
      await ok();
      expect(read('config/priv_validator_key.json')).toBe('from-secret priv_validator_key.json');
      expect(read('config/node_key.json')).toBe(`{"id":"${PEER_ID}"}`);
      for (const f of ['priv_validator_key.json', 'node_key.json']) expect(statSync(path(`config/${f}`)).mode & 0o777).toBe(0o600);
      writeFileSync(join(root, 'secrets/signing-key/priv_validator_key.json'), 'rotated');
      await ok();
      expect(read('config/priv_validator_key.json')).toBe('rotated');
    });

    it('never overwrites the sign state (the double-sign guard); creates it at height 0 only when missing', async () => {
      const { ok, path, read } = setUp(validator());
      await ok();
      writeFileSync(path('data/priv_validator_state.json'), SIGN_STATE);
      await ok();
      expect(read('data/priv_validator_state.json')).toBe(SIGN_STATE);
      rmSync(path('data/priv_validator_state.json'));
      await ok();
      expect(JSON.parse(read('data/priv_validator_state.json'))).toEqual({ height: '0', round: 0, step: 0 });
    });

    it('fails the pod start when a key Secret lacks its file, rather than run with generated keys', async () => {
      const { run } = setUp(validator());
      rmSync(join(root, 'secrets/node-key/node_key.json'));
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/node_key\.json/);
    });

    it('a node key Secret whose ID is not the declared nodeId: refused, naming both', async () => {
      const { run, ok } = setUp(baseProps({ nodeKeySecret: 'rpc-0-node-key', nodeId: PEER_ID }));
      await ok();
      writeFileSync(join(root, 'secrets/node-key/node_key.json'), `{"id":"${'9'.repeat(40)}"}`);
      const { code, stderr } = await run();
      expect(code).not.toBe(0);
      expect(stderr).toContain(`sei-init: node key: the node key Secret's key has ID ${'9'.repeat(40)}, but the SeiNode says nodeId ${PEER_ID}`);
    });
  });
  });
});
