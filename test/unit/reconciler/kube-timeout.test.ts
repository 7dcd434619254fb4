import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { KubeApi } from '../../../src/reconciler/kube.js';
import { loopbackServer } from './loopback.js';

/**
 * Every API call is aborted after the request timeout: against a loopback server that accepts the request and never
 * answers (an API server or proxy that hung), the call rejects instead of holding its work-queue key forever.
 */
describe('KubeApi request timeout', () => {
  let server: Server;
  let api: KubeApi;
  beforeAll(async () => {
    const loopback = await loopbackServer(() => {}); // accepts, never answers
    server = loopback.server;
    api = new KubeApi(loopback.kubeConfig, () => {}, 300);
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
