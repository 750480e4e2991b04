// A Basics Station LNS stand-in for benchmarks, run in a worker thread (plain JavaScript: workers do
// not get the tsx loader): answers /router-info with its traffic endpoint and counts the uplink records
// (jreq, updf, propdf) each station sends there, so that only what arrived counts.
import { createServer } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { WebSocketServer } from 'ws';

let rxpk = 0;
const server = createServer();
const wss = new WebSocketServer({ server });
wss.on('connection', (ws, req) => {
  if (req.url === '/router-info') {
    ws.once('message', () => {
      const { port } = server.address();
      ws.send(JSON.stringify({ router: '::1', muxs: '::0', uri: `ws://127.0.0.1:${port}/traffic/eui-1` }));
      ws.close();
    });
    return;
  }
  ws.on('message', (d) => {
    const s = String(d);
    // router_config opens the concentrator (EU868's data rates, every channel heard).
    if (s.includes('"msgtype":"version"'))
      ws.send(
        JSON.stringify({
          msgtype: 'router_config',
          region: 'EU863',
          hwspec: 'sx1301/1',
          freq_range: [863000000, 870000000],
          DRs: [
            [12, 125, 0],
            [11, 125, 0],
            [10, 125, 0],
            [9, 125, 0],
            [8, 125, 0],
            [7, 125, 0],
            [7, 250, 0],
            [0, 0, 0],
          ],
        }),
      );
    if (s.includes('"msgtype":"updf"') || s.includes('"msgtype":"jreq"') || s.includes('"msgtype":"propdf"'))
      rxpk++;
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'count') parentPort.postMessage({ rxpk });
  if (m === 'stop') {
    for (const c of wss.clients) c.terminate();
    server.close(() => process.exit(0));
  }
});
