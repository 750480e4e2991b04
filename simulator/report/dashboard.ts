import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../io/listen.js';
import { htmlReport } from './html.js';
import { esc, plotData, reportSections, titleOf, type LiveState } from './html-sections.js';
import type { DeviceDirectory, LiveReportSink, RunReport } from './types.js';

/** Pages following one run at once: each holds a connection open. */
const MAX_FOLLOWERS = 32;
/** A comment line this often keeps proxies and browsers from closing an idle event stream. */
const KEEPALIVE_MS = 15_000;
const MAX_URL_LENGTH = 2048;

export interface LiveDashboard extends LiveReportSink {
  /** Where the page is: `http://host:port/`. */
  readonly url: string;
  /** Where the run is before its traffic (provisioning N of M devices): the page until the first report. */
  phase(phase: string, done?: number, total?: number): void;
  /** The run is over: the final report to every page, then the stream ends. */
  finish(r: RunReport): void;
  close(): Promise<void>;
}

/**
 * `--dashboard`: the report page served while the run goes on (`/`), fed by server-sent events
 * (`/events`: the page's sections and plot data as the run's snapshots come), with a device search
 * (`/api/devices?q=`) and a device's latest frames (`/api/devices/ID/log`). Every request is a GET of
 * one of those paths; anything else is refused, and no request changes anything.
 */
export async function startDashboard(address: { host: string; port: number }): Promise<LiveDashboard> {
  let latest: { page: string; event: string } | undefined;
  let directory: DeviceDirectory | undefined;
  let finished = false;
  let before = 'starting';
  const followers = new Set<ServerResponse>();
  const send = (res: ServerResponse, name: string, data: string) =>
    res.write(`event: ${name}\ndata: ${data}\n\n`);
  const publish = (r: RunReport, live?: LiveState) => {
    const event = JSON.stringify({
      sections: reportSections(r, live),
      plots: plotData(r),
      verdict: live ? 'running' : r.verdict,
      title: titleOf(r, live),
    });
    latest = {
      page: htmlReport(r, live ?? { phase: 'finished', elapsedMs: r.durationMs, durationMs: r.durationMs }),
      event,
    };
    for (const res of followers) send(res, 'report', event);
  };

  const server: Server = createServer((req, res) => {
    try {
      route(req, res);
    } catch (e) {
      reply(res, 500, 'text/plain', `${(e as Error).message}\n`);
    }
  });
  const route = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET') return reply(res, 405, 'text/plain', 'only GET\n');
    if ((req.url ?? '').length > MAX_URL_LENGTH) return reply(res, 414, 'text/plain', 'URL too long\n');
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const path = url.pathname;
    if (path === '/') {
      // Until traffic starts there is no report yet: a page that says where the run is and reloads.
      if (latest === undefined)
        return reply(
          res,
          200,
          'text/html; charset=utf-8',
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>lorafleet — ${esc(before)}</title></head><body><p id="waiting">lorafleet: ${esc(before)}; the dashboard opens when traffic starts.</p></body></html>`,
        );
      return reply(res, 200, 'text/html; charset=utf-8', latest.page);
    }
    if (path === '/events') return follow(res);
    if (path === '/api/devices') {
      const limit = Math.min(200, Math.max(1, Number(url.searchParams.get('limit') ?? 50) || 50));
      const q = (url.searchParams.get('q') ?? '').slice(0, 200);
      const found = directory?.search(q, limit) ?? { devices: [], matched: 0, total: 0 };
      return reply(res, 200, 'application/json', JSON.stringify(found));
    }
    const m = /^\/api\/devices\/([^/]+)\/log$/.exec(path);
    if (m) {
      let id: string;
      try {
        id = decodeURIComponent(m[1]!);
      } catch {
        return reply(res, 400, 'text/plain', 'device ID is not valid percent-encoding\n');
      }
      const lines = directory?.log(id);
      if (lines === undefined)
        return reply(res, 404, 'application/json', JSON.stringify({ error: `no device ${id}` }));
      return reply(res, 200, 'application/json', JSON.stringify({ device: id, lines }));
    }
    return reply(res, 404, 'text/plain', 'not found: / (the page), /events, /api/devices\n');
  };
  const follow = (res: ServerResponse) => {
    if (followers.size >= MAX_FOLLOWERS)
      return reply(res, 503, 'text/plain', 'too many pages follow this run\n');
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    if (latest) send(res, 'report', latest.event);
    if (finished) {
      send(res, 'end', '{}');
      return res.end();
    }
    followers.add(res);
    res.on('close', () => followers.delete(res));
  };
  const keepalive = setInterval(() => {
    for (const res of followers) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  const a = await listen(server, address.host, address.port);
  const host = a.address.includes(':') ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`,
    devices: (d) => (directory = d),
    phase(phase, done, total) {
      before = done !== undefined && total !== undefined ? `${phase} ${done}/${total} devices` : phase;
    },
    snapshot: (r, state) => publish(r, state),
    finish(r) {
      publish(r);
      finished = true;
      for (const res of followers) {
        send(res, 'end', '{}');
        res.end();
      }
      followers.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        for (const res of followers) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(body);
}
