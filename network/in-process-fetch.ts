import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/** What the in-process fetch hands the HTTP API: a request as node's server would, without a socket. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A `fetch` that calls the embedded network's HTTP API in this process: the same routes, keys, rights,
 * bodies and errors as over a socket, without the TCP round trip a request — what an embedded run's
 * provisioning costs a device. A streaming answer (the events stream) streams as over a socket, and
 * ends for the API when the caller aborts, as a closed connection does.
 */
export function inProcessFetch(handle: RequestHandler): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? Buffer.from(init.body) : undefined;
    // Not destroyed at its end: for the API, `close` is the connection closing (see below).
    const req = Object.assign(
      new Readable({
        autoDestroy: false,
        read() {
          if (body !== undefined) this.push(body);
          this.push(null);
        },
      }),
      { method, url: `${url.pathname}${url.search}`, headers, complete: false },
    ) as unknown as IncomingMessage;
    req.on('end', () => ((req as { complete: boolean }).complete = true));
    const signal = init?.signal;
    const onAbort = () => res.abort();
    // The listener goes with the answer: a request's timeout signal lives for its whole timeout and
    // would otherwise hold every finished request (body, streams) for that long.
    const res = new Answer(
      () => req.emit('close'),
      () => signal?.removeEventListener('abort', onAbort),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    await handle(req, res as unknown as ServerResponse);
    return new Response(res.status === 204 ? null : res.body, { status: res.status, headers: res.headers });
  };
}

/** The part of a ServerResponse the API writes through, as a stream the Response reads. */
class Answer {
  status = 200;
  headers: Record<string, string> = {};
  headersSent = false;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private done = false;
  readonly body = new ReadableStream<Uint8Array>({
    start: (c) => {
      this.controller = c;
    },
    cancel: () => this.abort(),
  });

  constructor(
    private readonly closed: () => void,
    private readonly finished: () => void,
  ) {}

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
    if (!this.done) this.controller.enqueue(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return !this.done;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    if (!this.done) {
      this.done = true;
      this.controller.close();
      this.finished();
    }
    return this;
  }

  /** The caller went away: the API hears its connection close, and nothing more is written. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.controller.close();
    } catch {
      // already closed or cancelled
    }
    this.finished();
    this.closed();
  }
}
