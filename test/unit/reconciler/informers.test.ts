import { describe, expect, it } from '@jest/globals';
import { TimedWatch, witnessedCreation, type InformerState } from '../../../src/reconciler/informers.js';
import { loopbackServer } from './loopback.js';

describe('TimedWatch', () => {
  it('asks the server to end each watch after 5–10 minutes, with bookmarks, and ends it itself if the server does not', async () => {
    const urls: string[] = [];
    const { server, kubeConfig } = await loopbackServer((req, res) => {
      urls.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(''); // headers out, then silence: a watch that never delivers
    });
    const states: boolean[] = [];
    const watch = new TimedWatch(kubeConfig, 300, (up) => states.push(up));
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
  it.each<[string, Partial<InformerState>, string, string | undefined, boolean]>([
    ['not listed yet: nothing is witnessed', { listed: false, fromList: new Set() }, 'u', undefined, false],
    ['an ADD from the watch after the first list', { listed: true, fromList: new Set(['other']), firstListedAt: 1_000_000 }, 'u', undefined, true],
    ['in the first list: found', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T11:00:00Z', false],
    ['in a re-list, created just after the first list (within the clock-skew margin): found', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T12:00:30Z', false],
    ['in a re-list, created minutes after the first list: the outage lost the event, it was created under watch', { listed: true, fromList: new Set(['u']), firstListedAt: Date.parse('2026-11-25T12:00:00Z') }, 'u', '2026-11-25T12:05:00Z', true],
  ])('%s', (_, state, uid, created, expected) => {
    expect(witnessedCreation({ name: 'x', down: false, ...state } as never, uid, created)).toBe(expected);
  });
});
