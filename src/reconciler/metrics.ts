import { createServer, type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface HealthChecks {
  ready(): { ok: boolean; detail: string };
  healthy(): { ok: boolean; detail: string };
}
const OK = () => ({ ok: true, detail: 'no checks' });

/** The reconciler's Prometheus metrics, on a registry of its own (tests run several controllers in one process). */
export class Metrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'seinode_reconciler_reconciles_total',
    help: 'Reconciles by outcome (decide() action, conflict, error).',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly writes = new Counter({
    name: 'seinode_reconciler_writes_total',
    help: 'API writes by kind: status, delete, event. Zero in a steady state.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly impostorsDeleted = new Counter({
    name: 'seinode_reconciler_impostors_deleted_total',
    help: 'Impostor StatefulSets deleted.',
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'seinode_reconciler_api_requests_total',
    help: 'Requests sent to the API server, by HTTP method (WATCH for watch requests).',
    labelNames: ['method'] as const,
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'seinode_reconciler_cache_reconciles_total',
    help: 'Reconciles decided on the informer caches alone, with no API request (nothing to write).',
    registers: [this.registry],
  });
  readonly watchErrors = new Counter({
    name: 'seinode_reconciler_watch_errors_total',
    help: 'Watches that failed and were restarted.',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'seinode_reconciler_reconcile_duration_seconds',
    help: 'Time to reconcile one SeiNode.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** Total writes of one kind so far. */
  async writeCount(kind?: 'status' | 'delete' | 'event'): Promise<number> {
    const values = (await this.writes.get()).values;
    return values.filter((v) => kind === undefined || v.labels.kind === kind).reduce((n, v) => n + v.value, 0);
  }

  /** Impostors deleted so far. */
  async deletedCount(): Promise<number> {
    return (await this.impostorsDeleted.get()).values.reduce((n, v) => n + v.value, 0);
  }

  /** Serves /metrics, /readyz and /healthz (200 with the detail, or 503 with the reason). */
  serve(host: string, port: number, checks: HealthChecks = { ready: OK, healthy: OK }): Promise<Server> {
    const server = createServer(async (req, res) => {
      const check = req.url === '/readyz' ? checks.ready : req.url === '/healthz' ? checks.healthy : undefined;
      if (req.url === '/metrics') {
        res.setHeader('Content-Type', this.registry.contentType);
        res.end(await this.registry.metrics());
      } else if (check) {
        const { ok, detail } = check();
        res.statusCode = ok ? 200 : 503;
        res.end(`${ok ? 'ok' : 'not ok'}: ${detail}\n`);
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
}
