import { describe, expect, it } from '@jest/globals';
import { App, Chart } from 'cdk8s';
import { SeiNode } from '../../../src/constructs/seinode.js';
import { PEER_ID as ID, baseProps, renderNodes } from './render.js';
/**
 * Bad props fail the synth with an error that names the node and the field. Each row: what is wrong, the props,
 * the field the message must name, and a fragment of the explanation.
 */
const BAD = [
    ['empty name', { name: '' }, 'name', 'is required'],
    ['upper-case name', { name: 'RPC-0' }, 'name', 'not a DNS-1035 label'],
    ['name starting with a digit', { name: '0rpc' }, 'name', 'not a DNS-1035 label'],
    ['name too long for the pod revision label', { name: 'n'.repeat(53) }, 'name', 'at most 52'],
    ['invalid chainId', { chainId: 'Pacific_1' }, 'chainId', 'not a DNS label'],
    ['missing chainId', { chainId: undefined }, 'chainId', 'is required'],
    ['missing image', { image: '' }, 'image', 'is required'],
    ['image with whitespace', { image: 'sei:v1 latest' }, 'image', 'whitespace'],
    ['no mode', { fullNode: undefined }, 'fullNode|archive|validator|seed', 'got none'],
    ['two modes', { archive: {} }, 'fullNode+archive', 'exactly one'],
    [
        'signing key without node key',
        { fullNode: undefined, validator: { signingKeySecret: 'sign' } },
        'validator.nodeKeySecret',
        'must be set together',
    ],
    [
        'node key without signing key',
        { fullNode: undefined, validator: { nodeKeySecret: 'node' } },
        'validator.signingKeySecret',
        'must be set together',
    ],
    [
        'invalid key Secret name',
        { fullNode: undefined, validator: { signingKeySecret: 'Bad_Name', nodeKeySecret: 'node' } },
        'validator.signingKeySecret',
        'not a valid Secret name',
    ],
    ['storage size not a quantity', { storage: { size: '2TB' } }, 'storage.size', 'not a quantity'],
    ['zero storage size', { storage: { size: '0' } }, 'storage.size', 'must be positive'],
    ['invalid storageClassName', { storage: { storageClassName: 'Fast NVMe' } }, 'storage.storageClassName', 'not a valid'],
    ['cpu request not a quantity', { resources: { requests: { cpu: 'eight' } } }, 'resources.requests.cpu', 'not a quantity'],
    ['unsupported resource', { resources: { limits: { gpu: '1' } } }, 'resources.limits.gpu', 'only cpu and memory'],
    ['memory request above limit', { resources: { requests: { memory: '128Gi' } } }, 'resources.requests.memory', '128Gi exceeds limits.memory 64Gi'],
    ['peer without port', { peers: [`${ID}@sentry-0`] }, 'peers[0]', 'not <40-hex node id>@host:port'],
    ['peer without node ID (seid refuses it)', { peers: ['sentry-0.sei.svc:26656'] }, 'peers[0]', 'not <40-hex node id>@host:port'],
    ['peer port out of range', { peers: [`${ID}@a:26656`, `${ID}@b:70000`] }, 'peers[1]', 'above 65535'],
    ['peer listed twice', { peers: [`${ID}@a:26656`, `${ID}@a:26656`] }, 'peers[1]', 'listed twice'],
    ['override key not dotted TOML', { overrides: { 'P2P PEX': 'false' } }, 'overrides["P2P PEX"]', 'dotted TOML key'],
    ['override of a key the construct owns', { overrides: { 'rpc.laddr': 'tcp://127.0.0.1:1' } }, 'overrides["rpc.laddr"]', 'set by the construct'],
    ['two overrides, one variable', { overrides: { 'p2p.pex': 'true', 'p2p-pex': 'false' } }, 'overrides["p2p-pex"]', 'becomes SEID_P2P_PEX'],
    ['non-string override value', { overrides: { 'p2p.pex': false } }, 'overrides["p2p.pex"]', 'must be a string'],
    ['reserved pod label', { podLabels: { 'sei.io/node': 'other' } }, 'podLabels["sei.io/node"]', 'belong to the construct'],
    ['invalid pod label value', { podLabels: { team: 'a b' } }, 'podLabels["team"]', 'not a valid label value'],
    ['paused not a boolean', { paused: 'yes' }, 'paused', 'must be a boolean'],
    ['unknown update strategy', { updateStrategy: 'Recreate' }, 'updateStrategy', 'not one of'],
];
describe('bad SeiNode props fail the synth, naming the node and the field', () => {
    it.each(BAD)('%s', (_, over, field, why) => {
        const props = baseProps(over);
        const nodeRef = `SeiNode sei/${props.name || '<no name>'}`;
        let message = '';
        try {
            renderNodes([props]);
        }
        catch (e) {
            message = e.message;
        }
        expect(message).toContain(nodeRef);
        expect(message).toContain(`- ${field}`);
        expect(message).toContain(why);
    });
    it('reports every problem of a node at once', () => {
        expect(() => renderNodes([baseProps({ name: 'X', chainId: '', image: '' })])).toThrow(/- name: .*\n {2}- chainId: is required\n {2}- image: is required/);
    });
    it('refuses a second node of the same name in one namespace', () => {
        expect(() => renderNodes([baseProps(), baseProps({ archive: {}, fullNode: undefined })])).toThrow('SeiNode sei/rpc-0: invalid props:\n  - name: another SeiNode named "rpc-0" already exists in namespace "sei"');
    });
    it('allows the same name in two namespaces', () => {
        const app = new App();
        new SeiNode(new Chart(app, 'a', { namespace: 'a' }), 'rpc-0', baseProps());
        expect(() => new SeiNode(new Chart(app, 'b', { namespace: 'b' }), 'rpc-0', baseProps())).not.toThrow();
    });
    it('requires a namespace from the prop or the chart', () => {
        const app = new App();
        expect(() => new SeiNode(new Chart(app, 'c'), 'rpc-0', baseProps())).toThrow("SeiNode <no namespace>/rpc-0: invalid props:\n  - namespace: is required: set the prop or the enclosing Chart's namespace");
    });
    it('accepts the boundary cases it must', () => {
        expect(() => renderNodes([
            baseProps({
                name: 'n'.repeat(52),
                peers: [`${ID}@sentry-0.sei.svc:26656`, `${ID}@10.0.0.1:65535`],
                overrides: { 'evm.http_port': '8545', 'p2p.max-connections': '400' },
                podLabels: { 'example.com/team': 'validators' },
                resources: { requests: { memory: '64Gi' }, limits: { memory: '64Gi', cpu: '16' } },
            }),
        ])).not.toThrow();
    });
});
export const BAD_INPUT_CASES = BAD.length;
