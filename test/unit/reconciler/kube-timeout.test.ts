import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { createServer, type Server } from 'node:http';
import { KubeApi } from '../../../src/reconciler/kube.js';

/**
 * Every API call is aborted after the request timeout: against a loopback server that accepts the request and never
 * answers (an API server or proxy that hung), the call rejects instead of holding its work-queue key forever.
 */
describe('KubeApi request timeout', () => {
  let server: Server;
  let api: KubeApi;
  beforeAll(async () => {
    server = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    api = new KubeApi(kc, () => {}, 300);
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it.each<[string, () => Promise<unknown>]>([
    ['get SeiNode', () => api.getSeiNode('ns', 'n')],
    ['get StatefulSet', () => api.getStatefulSet('ns', 'n')],
    ['list PVCs', () => api.claimsOwnedBy('ns', 'uid')],
    ['delete StatefulSet', () => api.deleteStatefulSet('ns', { name: 'n', uid: 'u', resourceVersion: '1' }, 'Foreground')],
    ['write status', () => api.writeStatus({ metadata: { name: 'n', namespace: 'ns', resourceVersion: '1' }, spec: {} }, {})],
  ])('%s rejects after the timeout', async (_, call) => {
    const t0 = Date.now();
    await expect(call()).rejects.toThrow(/abort/i);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(5000);
  });
});

describe('TimedWatch', () => {
  it('asks the server to end each watch after 5–10 minutes, with bookmarks, and ends it itself if the server does not', async () => {
    const urls: string[] = [];
    const server = createServer((req, res) => {
      urls.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(''); // headers out, then silence: a watch that never delivers
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const states: boolean[] = [];
    const { TimedWatch } = await import('../../../src/reconciler/informers.js');
    const watch = new TimedWatch(kc, 300, (up) => states.push(up));
    let ended: unknown = 'not yet';
    const controller = await watch.watch('/apis/apps/v1/statefulsets', { resourceVersion: '7' }, () => {}, (err) => (ended = err));
    const q = new URL(urls[0], 'http://x').searchParams;
    expect(Number(q.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(Number(q.get('timeoutSeconds'))).toBeLessThanOrEqual(600);
    expect(q.get('allowWatchBookmarks')).toBe('true');
    expect(q.get('resourceVersion')).toBe('7');
    expect(states).toEqual([true]);
    controller.abort();
    await new Promise((r) => setTimeout(r, 50));
    expect(ended).not.toBe('not yet');
    server.closeAllConnections();
    server.close();
  });
});

describe('witnessedCreation', () => {
  it.each<[string, Partial<import('../../../src/reconciler/informers.js').InformerState>, string, string | undefined, boolean]>([
    ['not listed yet: nothing is witnessed', { listed: false, fromList: new Set() }, 'u', undefined, false],
    ['an ADD from the watch after the first list', { listed: true, fromList: new Set(['other']), firstListedAt: 1_000_000 }, 'u', undefined, true],
    ['in the first list: found', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T11:00:00Z', false],
    ['in a re-list, created just after the first list (within the clock-skew margin): found', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T12:00:30Z', false],
    ['in a re-list, created minutes after the first list: the outage lost the event, it was created under watch', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T12:05:00Z', true],
  ])('%s', async (_, state, uid, created, expected) => {
    const { witnessedCreation } = await import('../../../src/reconciler/informers.js');
    expect(witnessedCreation({ name: 'x', down: false, ...state } as never, uid, created)).toBe(expected);
  });
});
