import { createServer, type Server } from 'node:http';
import { Rng } from '../../simulator/random/rng.js';

export interface FaultCounts {
  forwarded: number;
  rateLimited: number;
  unavailable: number;
  internal: number;
  resetBefore: number;
  lostResponse: number;
}

/**
 * An HTTP proxy for tests that misbehaves on purpose: of all requests, `share` get a fault — a 429
 * with X-Rate-Limit-Retry, a 503 (or a 500), a reset before forwarding, or (worst for idempotency) a reset after
 * the request reached the server, so its effect happened but its answer is lost.
 */
export class FaultProxy {
  readonly counts: FaultCounts = {
    forwarded: 0,
    rateLimited: 0,
    unavailable: 0,
    internal: 0,
    resetBefore: 0,
    lostResponse: 0,
  };
  private server!: Server;
  private readonly rng: Rng;
  /** Requests seen, by "METHOD path" without query. */
  readonly requests: string[] = [];

  constructor(
    private readonly target: string,
    private readonly share = 0.2,
    seed = 1,
    /** Answer half of the 503 share with 500 (gRPC Internal, TTS's error body) instead. */
    private readonly internalErrors = false,
  ) {
    this.rng = new Rng(seed);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        this.requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
        const roll = this.rng.next();
        const f = this.share;
        if (roll < f * 0.4) {
          this.counts.rateLimited++;
          res.writeHead(429, {
            'X-Rate-Limit-Retry': '1',
            'X-Rate-Limit-Limit': '100',
            'X-Rate-Limit-Available': '0',
            'X-Rate-Limit-Reset': '1',
            'content-type': 'application/json',
          });
          res.end(
            JSON.stringify({
              code: 8,
              message: 'error:pkg/ratelimit:rate_limit_exceeded (rate limit exceeded)',
              details: [{ namespace: 'pkg/ratelimit', name: 'rate_limit_exceeded' }],
            }),
          );
          return;
        }
        if (this.internalErrors && roll < f * 0.55) {
          this.counts.internal++;
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              code: 13,
              message: 'error:pkg/redis:store (store failed)',
              details: [{ namespace: 'pkg/redis', name: 'store', code: 13 }],
            }),
          );
          return;
        }
        if (roll < f * 0.7) {
          this.counts.unavailable++;
          res.writeHead(503);
          res.end();
          return;
        }
        if (roll < f * 0.85) {
          this.counts.resetBefore++;
          req.socket.destroy();
          return;
        }
        const upstream = await fetch(`${this.target}${req.url}`, {
          method: req.method,
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(
              ([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection',
            ),
          ) as Record<string, string>,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        if (roll < f) {
          this.counts.lostResponse++;
          req.socket.destroy();
          return;
        }
        this.counts.forwarded++;
        res.writeHead(upstream.status, Object.fromEntries(upstream.headers.entries()));
        res.end(body);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    const a = this.server.address() as { port: number };
    return `http://127.0.0.1:${a.port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
