import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEER_ID, baseProps, renderNode } from './render.js';
/**
 * The init container's script, run by a real `sh` against a real directory tree. Its absolute paths (/sei, the
 * volume; /secrets, the key Secrets) are rebased under a temp dir, and `seid` is a stand-in that does what
 * `seid init` does to a home: writes config/genesis.json, fresh keys and, for keys, the sign state.
 */
const FAKE_SEID = `#!/bin/sh
# seid init <moniker> --chain-id <id> --home <home>
[ "$1" = init ] || { echo "unexpected: seid $*" >&2; exit 2; }
home="$6"
echo "$*" >> "$home/../seid-calls"
mkdir -p "$home/config" "$home/data"
[ -f "$home/config/genesis.json" ] && { echo "genesis.json exists" >&2; exit 1; }
echo '{"chain_id":"'"$4"'"}' > "$home/config/genesis.json"
echo generated > "$home/config/priv_validator_key.json"
echo generated > "$home/config/node_key.json"
echo '{"height":"0","round":0,"step":0}' > "$home/data/priv_validator_state.json"
`;
let root;
afterEach(() => rmSync(root, { recursive: true, force: true }));
function setUp(validatorKeys) {
    root = mkdtempSync(join(tmpdir(), 'sei-init-'));
    const props = validatorKeys
        ? baseProps({ fullNode: undefined, validator: { signingKeySecret: 's', nodeKeySecret: 'n' }, peers: [`${PEER_ID}@a:26656`] })
        : baseProps();
    const init = renderNode(props).statefulSet.spec.template.spec.initContainers[0];
    expect(init.command).toEqual(['sh', '-c']);
    const script = init.args[0].replaceAll('/sei', `${root}/sei`).replaceAll('/secrets', `${root}/secrets`);
    const env = Object.fromEntries(init.env.map((e) => [e.name, e.value]));
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin/seid'), FAKE_SEID);
    chmodSync(join(root, 'bin/seid'), 0o755);
    mkdirSync(join(root, 'sei')); // the empty volume
    for (const [dir, file] of [['signing-key', 'priv_validator_key.json'], ['node-key', 'node_key.json']]) {
        mkdirSync(join(root, 'secrets', dir), { recursive: true });
        writeFileSync(join(root, 'secrets', dir, file), `from-secret ${file}`);
    }
    const run = () => execFileSync('sh', ['-c', script], { env: { ...env, PATH: `${root}/bin:${process.env.PATH}` }, encoding: 'utf8', stdio: 'pipe' });
    const path = (p) => join(root, 'sei', p);
    const calls = () => (existsSync(join(root, 'seid-calls')) ? readFileSync(join(root, 'seid-calls'), 'utf8').trim().split('\n') : []);
    return { run, path, calls };
}
describe('the init container script', () => {
    it('a fresh volume gets seid init once, with the node name and chain; a restart leaves the config alone', () => {
        const { run, path, calls } = setUp(false);
        run();
        expect(calls()).toEqual([`init rpc-0 --chain-id pacific-1 --home ${root}/sei`]);
        writeFileSync(path('config/genesis.json'), 'the real genesis');
        run();
        expect(calls()).toHaveLength(1);
        expect(readFileSync(path('config/genesis.json'), 'utf8')).toBe('the real genesis');
        expect(readFileSync(path('config/priv_validator_key.json'), 'utf8')).toBe('generated\n');
    });
    it('a validator gets its Secret keys installed 0600 over the generated ones, on every start', () => {
        const { run, path } = setUp(true);
        run();
        for (const f of ['priv_validator_key.json', 'node_key.json']) {
            expect(readFileSync(path(`config/${f}`), 'utf8')).toBe(`from-secret ${f}`);
            expect(statSync(path(`config/${f}`)).mode & 0o777).toBe(0o600);
        }
        writeFileSync(join(root, 'secrets/signing-key/priv_validator_key.json'), 'rotated');
        run();
        expect(readFileSync(path('config/priv_validator_key.json'), 'utf8')).toBe('rotated');
    });
    it('never overwrites the sign state (the double-sign guard); creates it at height 0 only when missing', () => {
        const { run, path } = setUp(true);
        run();
        const state = path('data/priv_validator_state.json');
        writeFileSync(state, '{"height":"1234","round":0,"step":3}');
        run();
        expect(readFileSync(state, 'utf8')).toBe('{"height":"1234","round":0,"step":3}');
        rmSync(state);
        run();
        expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual({ height: '0', round: 0, step: 0 });
    });
    it('fails the pod start (non-zero) when a key Secret lacks its file, rather than run with generated keys', () => {
        const { run } = setUp(true);
        rmSync(join(root, 'secrets/node-key/node_key.json'));
        expect(run).toThrow(/node_key\.json/);
    });
});
