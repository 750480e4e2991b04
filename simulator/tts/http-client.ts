import { readFileSync } from 'node:fs';
import { TtsApiError, TtsTransportError } from './errors.js';
import { silentLogger, type Logger } from './logger.js';

export interface TtsTarget {
  /** Own deployment: the base URL, e.g. "https://tts.example.com" (API under /api/v3). */
  url?: string;
  /** TTS Cloud: tenant and cluster ("acme", "eu1") → acme.eu1.cloud.thethings.industries; IS on eu1. */
  tenant?: string;
  cluster?: string;
  /** The Things Network: cluster only ("eu1", "nam1") → <cluster>.cloud.thethings.network; IS on eu1. */
  ttn?: boolean;
}

/** Base URLs of the Identity Server and of the cluster (JS/NS/AS, events) for a target. */
export function baseUrls(t: TtsTarget): { identity: string; cluster: string } {
  if (t.url) {
    const u = t.url.replace(/\/+$/, '');
    return { identity: u, cluster: u };
  }
  if (t.ttn) {
    const c = t.cluster ?? 'eu1';
    return {
      identity: 'https://eu1.cloud.thethings.network',
      cluster: `https://${c}.cloud.thethings.network`,
    };
  }
  if (t.tenant) {
    const c = t.cluster ?? 'eu1';
    return {
      identity: `https://${t.tenant}.eu1.cloud.thethings.industries`,
      cluster: `https://${t.tenant}.${c}.cloud.thethings.industries`,
    };
  }
  throw new TtsTransportError('-', '-', 'the target needs a url, a tenant, or ttn with a cluster');
}

/** An API key from an environment variable or a file (first line); never logged. */
export function apiKeyFrom(source: { env?: string; file?: string }): string {
  if (source.env) {
    const v = process.env[source.env];
    if (!v)
      throw new TtsTransportError('-', '-', `the environment variable ${source.env} (API key) is not set`);
    return v.trim();
  }
  if (source.file) return readFileSync(source.file, 'utf8').split('\n')[0]!.trim();
  throw new TtsTransportError('-', '-', 'no API key: give an environment variable or a file');
}

export interface TtsClientOptions {
  target: TtsTarget;
  apiKey: string;
  userAgent: string;
  concurrency?: number;
  /**
   * Attempts for 429, 502/503/504, resets and timeouts, and for 500 / gRPC Internal or Unavailable
   * on idempotent requests (default 8). Until the server has answered once, a refused connection
   * is retried at most 3 times: a wrong URL fails in a second, not after minutes of back-off.
   */
  maxAttempts?: number;
  /** Per-request timeout, ms (default 30 s). */
  timeoutMs?: number;
  /** First back-off, ms (default 200); doubles up to maxBackoffMs (default 10 s), with jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Sleeping is injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RequestOptions {
  query?: Record<string, string | number | string[] | undefined>;
  body?: unknown;
  /** GET: sent as ?field_mask=a,b. */
  fieldMask?: readonly string[];
  /** Resolve 404 as undefined instead of throwing. */
  allowNotFound?: boolean;
  /**
   * Safe to send again after a 500 or gRPC Internal/Unavailable (default: every method but POST).
   * A create whose answer was lost comes back as `id_taken`, which the provisioner handles: its
   * creates are idempotent; creating an API key is not.
   */
  idempotent?: boolean;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  transientErrors: number;
}

const IDENTITY_PREFIXES = ['/applications', '/users', '/organizations', '/gateways'];

/**
 * A client of The Things Stack's HTTP API (`/api/v3`), paced by the server: it follows the
 * X-Rate-Limit-* headers, waits X-Rate-Limit-Retry after a 429, backs off exponentially with jitter
 * on 502/503/504, resets and timeouts, logs each distinct X-Warning once, and keeps at most
 * `concurrency` requests in flight.
 */
export class TtsClient {
  readonly urls: { identity: string; cluster: string };
  readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0, transientErrors: 0 };
  private readonly log: Logger;
  private readonly warnings = new Set<string>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Wall time before which no request should start (from X-Rate-Limit-Available 0 or a 429). */
  private pausedUntil = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Whether any request has had an HTTP answer: the server exists, so a refusal is a restart. */
  private answered = false;

  constructor(private readonly o: TtsClientOptions) {
    this.urls = baseUrls(o.target);
    this.log = o.logger ?? silentLogger;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
  }

  get<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }
  post<T = Record<string, unknown>>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T = Record<string, unknown>>(path: string, body: unknown, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  delete<T = Record<string, unknown>>(path: string, opts: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  /** Raw response for streams (the events API); pacing and auth as for other requests. */
  async stream(path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    const res = await (this.o.fetch ?? fetch)(this.url(path), {
      method: 'POST',
      headers: { ...this.headers(), accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal,
    });
    if (!res.ok) throw await this.apiError(res, 'POST', path);
    return res;
  }

  url(path: string, query?: RequestOptions['query']): string {
    const base = IDENTITY_PREFIXES.some((p) => path.startsWith(p)) ? this.urls.identity : this.urls.cluster;
    const u = new URL(`${base}/api/v3${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, x);
      else u.searchParams.set(k, String(v));
    }
    return u.toString();
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Bearer ${this.o.apiKey}`,
      'user-agent': this.o.userAgent,
      'content-type': 'application/json',
      accept: 'application/json',
    };
  }

  private async slot(): Promise<void> {
    if (this.active < (this.o.concurrency ?? 8)) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const query = {
      ...opts.query,
      ...(opts.fieldMask && opts.fieldMask.length > 0 ? { field_mask: opts.fieldMask.join(',') } : {}),
    };
    const max = this.o.maxAttempts ?? 8;
    await this.slot();
    try {
      for (let attempt = 1; ; attempt++) {
        const wait = this.pausedUntil - Date.now();
        if (wait > 0) await this.sleep(wait);
        this.stats.requests++;
        let res: Response;
        try {
          res = await (this.o.fetch ?? fetch)(this.url(path, query), {
            method,
            headers: this.headers(),
            ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
            signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
          });
        } catch (e) {
          // Connection reset, refused, timed out: transient, unless the name or the certificate is wrong.
          this.stats.transientErrors++;
          const why = describeFetchError(e, this.url(path));
          const fatal = why.permanent || (!this.answered && attempt >= 3);
          if (fatal || attempt >= max)
            throw new TtsTransportError(
              method,
              path,
              `${why.text}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`,
              { cause: e },
            );
          await this.backoff(attempt, method, path, why.text);
          continue;
        }
        this.answered = true;
        this.pace(res);
        const warning = res.headers.get('x-warning');
        if (warning && !this.warnings.has(warning)) {
          this.warnings.add(warning);
          this.log.warn({ warning, path }, 'The Things Stack warns');
        }
        if (res.status === 429) {
          this.stats.rateLimited++;
          const retry = Number(res.headers.get('x-rate-limit-retry') ?? 1);
          await res.body?.cancel();
          if (attempt >= max)
            throw new TtsTransportError(method, path, `still rate limited after ${attempt} attempts`);
          this.stats.retries++;
          this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retry * 1000);
          continue;
        }
        if (res.status === 502 || res.status === 503 || res.status === 504) {
          this.stats.transientErrors++;
          await res.body?.cancel();
          if (attempt >= max)
            throw new TtsTransportError(method, path, `HTTP ${res.status} after ${attempt} attempts`);
          await this.backoff(attempt, method, path, `HTTP ${res.status}`);
          continue;
        }
        if (
          (res.status === 500 || res.status === 503) &&
          (opts.idempotent ?? method !== 'POST') &&
          attempt < max
        ) {
          // 500 is gRPC Internal or Unknown, 503 Unavailable: a component restarting or overloaded.
          this.stats.transientErrors++;
          await res.body?.cancel();
          await this.backoff(attempt, method, path, `HTTP ${res.status}`);
          continue;
        }
        if (res.status === 404 && opts.allowNotFound) {
          await res.body?.cancel();
          return undefined as T;
        }
        if (!res.ok) throw await this.apiError(res, method, path);
        const text = await res.text();
        return (text ? JSON.parse(text) : {}) as T;
      }
    } finally {
      this.release();
    }
  }

  /** X-Rate-Limit-Available 0 means: wait X-Rate-Limit-Reset seconds before the next request. */
  private pace(res: Response): void {
    const available = res.headers.get('x-rate-limit-available');
    const reset = res.headers.get('x-rate-limit-reset');
    if (available !== null && Number(available) <= 0 && reset !== null) {
      this.pausedUntil = Math.max(this.pausedUntil, Date.now() + Number(reset) * 1000);
    }
  }

  private async backoff(attempt: number, method: string, path: string, why: string): Promise<void> {
    this.stats.retries++;
    const base = Math.min(this.o.maxBackoffMs ?? 10_000, (this.o.backoffMs ?? 200) * 2 ** (attempt - 1));
    const ms = base / 2 + this.random() * (base / 2); // jitter over the upper half
    this.log.debug({ method, path, attempt, ms: Math.round(ms), why }, 'retrying');
    await this.sleep(ms);
  }

  private async apiError(res: Response, method: string, path: string): Promise<TtsApiError> {
    let body: {
      code?: number;
      message?: string;
      details?: {
        namespace?: string;
        name?: string;
        message_format?: string;
        correlation_id?: string;
        attributes?: Record<string, unknown>;
      }[];
    } = {};
    try {
      body = (await res.json()) as typeof body;
    } catch {
      // not a TTS error body
    }
    const d = body.details?.[0] ?? {};
    return new TtsApiError(
      res.status,
      body.code ?? 2,
      d.namespace ?? 'http',
      d.name ?? String(res.status),
      filledMessage(body.message) ?? d.message_format ?? res.statusText,
      d.correlation_id,
      d.attributes ?? {},
      method,
      path,
    );
  }
}

/**
 * The message of a TTS error body with its attributes filled in: `message` is
 * "error:<namespace>:<name> (<formatted message>)", while `details[0].message_format` keeps the
 * placeholders (tts-api.md Part 4). A 400 unmarshal error's `message` is plain text.
 */
export function filledMessage(message: string | undefined): string | undefined {
  if (message === undefined || message === '') return undefined;
  const m = /^error:[^ ]+ \((.*)\)$/s.exec(message);
  return m ? m[1] : message;
}

const FETCH_CAUSES: Record<string, { text: string; permanent: boolean }> = {
  ECONNREFUSED: { text: 'connection refused', permanent: false },
  ECONNRESET: { text: 'connection reset', permanent: false },
  ETIMEDOUT: { text: 'connection timed out', permanent: false },
  UND_ERR_CONNECT_TIMEOUT: { text: 'connection timed out', permanent: false },
  UND_ERR_SOCKET: { text: 'connection closed', permanent: false },
  EHOSTUNREACH: { text: 'host unreachable', permanent: false },
  ENETUNREACH: { text: 'network unreachable', permanent: false },
  ENOTFOUND: { text: 'no such host (DNS)', permanent: true },
  EAI_AGAIN: { text: 'DNS lookup failed', permanent: false },
};

/**
 * What went wrong with a request that had no HTTP answer, naming the host and the cause: fetch
 * reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, a TLS error) in `cause`.
 */
export function describeFetchError(e: unknown, url: string): { text: string; permanent: boolean } {
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return { text: `${host}: no answer in time`, permanent: false };
  const code = err.cause?.code;
  const known = code ? FETCH_CAUSES[code] : undefined;
  if (known) return { text: `cannot reach ${host}: ${code} (${known.text})`, permanent: known.permanent };
  if (code && /CERT|SSL|TLS|SELF_SIGNED|ERR_TLS/i.test(code))
    return { text: `TLS with ${host} failed: ${code} (${err.cause?.message ?? ''})`, permanent: true };
  const detail = err.cause?.message ?? err.message ?? String(e);
  return { text: `cannot reach ${host}: ${code ? `${code} ` : ''}${detail}`, permanent: false };
}
