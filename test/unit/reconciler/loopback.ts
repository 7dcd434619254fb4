import * as k8s from '@kubernetes/client-node';
import { createServer, type RequestListener, type Server } from 'node:http';

/** A plain-HTTP server on 127.0.0.1 answering with `handler`, and a KubeConfig pointing client-node at it. */
export async function loopbackServer(handler: RequestListener): Promise<{ server: Server; kubeConfig: k8s.KubeConfig }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as { port: number }).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return { server, kubeConfig };
}
