import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'rpc');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** How one fake RPC server behaves. */
export interface FakeRpcOptions {
  /** Its latest block height. */
  readonly latestHeight: number;
  /** Wrap answers in a JSON-RPC envelope (older Tendermint, some proxies) instead of v0.5.9's bare result. */
  readonly envelope?: boolean;
  /** Salt of its block hashes: two servers with different salts disagree on every block. @default 'chain' */
  readonly fork?: string;
  /** Extra files served as-is by path (a snapshot archive, a genesis). */
  readonly files?: Readonly<Record<string, Buffer>>;
}

/** The block hash a fake server reports for a height: upper-case hex, as Tendermint prints it. */
export const blockHash = (height: number, fork = 'chain') =>
  createHash('sha256').update(`${fork}/${height}`).digest('hex').toUpperCase();

/** A loopback HTTP server answering /status, /block?height=, /lag_status like seid's RPC (from the fixtures). */
export class FakeRpc {
  public readonly requests: string[] = [];
  private server?: Server;

  constructor(private readonly options: FakeRpcOptions) {}

  public get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  public async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(`${url.pathname}${url.search}`);
      const file = this.options.files?.[url.pathname];
      if (file) return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(file);
      const { latestHeight, fork = 'chain' } = this.options;
      let body: string | undefined;
      let status = 200;
      if (url.pathname === '/status') {
        body = fixture('status.json')
          .replaceAll('@LATEST_HEIGHT@', String(latestHeight))
          .replaceAll('@LATEST_HASH@', blockHash(latestHeight, fork));
      } else if (url.pathname === '/block') {
        const height = Number(url.searchParams.get('height'));
        if (!Number.isInteger(height) || height < 1 || height > latestHeight) {
          status = 500;
          body = JSON.stringify({ code: -32603, message: 'Internal error', data: `height ${height} must be less than or equal to the current blockchain height ${latestHeight}` });
        } else
          body = fixture('block.json')
            .replaceAll('@HASH@', blockHash(height, fork))
            .replaceAll('@HEIGHT@', String(height))
            .replaceAll('@PREV_HASH@', blockHash(height - 1, fork))
            .replaceAll('@PREV_HEIGHT@', String(height - 1));
      } else if (url.pathname === '/lag_status') {
        body = fixture('lag_status.json')
          .replaceAll('@HEIGHT@', String(latestHeight))
          .replaceAll('@MAX_PEER_HEIGHT@', String(latestHeight))
          .replaceAll('@LAG@', '0');
      } else {
        status = 404;
        body = '404 page not found\n';
      }
      if (status === 200 && this.options.envelope) body = `{"jsonrpc":"2.0","id":-1,"result":${body}}`;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  public async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** A loopback port nothing listens on: bound, then closed, so a connect is refused at once. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
