import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** What the in-process fetch hands the HTTP API: a request as node's server would, without a socket. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A `fetch` that calls the embedded network's HTTP API in this process: the same routes, keys, rights,
 * bodies and errors as over a socket, without the TCP round trip a request — what an embedded run's
 * provisioning costs a device. Only plain requests and answers: no streaming response (the run
 * reaches the events stream in process already, see in-process.ts).
 */
export function inProcessFetch(handle: RequestHandler): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? Buffer.from(init.body) : Buffer.alloc(0);
    const req = Object.assign(Readable.from(body.length > 0 ? [body] : []), {
      method,
      url: `${url.pathname}${url.search}`,
      headers,
      complete: false,
    }) as unknown as IncomingMessage;
    req.on('end', () => ((req as { complete: boolean }).complete = true));
    const res = new Answer();
    await handle(req, res as unknown as ServerResponse);
    return new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
  };
}

/** The part of a ServerResponse the API writes through, collected. */
class Answer {
  status = 200;
  headers: Record<string, string> = {};
  body = '';
  headersSent = false;

  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  writeHead(status: number, headers: Record<string, string> = {}): this {
    this.status = status;
    for (const [k, v] of Object.entries(headers)) this.setHeader(k, v);
    this.headersSent = true;
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    this.body += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    return this;
  }
}
