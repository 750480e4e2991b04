// A network stand-in for benchmarks, run in a worker thread or a child process (plain JavaScript:
// workers do not get the tsx loader): acknowledges every PUSH_DATA and PULL_DATA on 127.0.0.1 and counts the rxpk it
// received by counting `"tmst":` in each body.
import { createSocket } from 'node:dgram';
import { parentPort } from 'node:worker_threads';

const socket = createSocket('udp4');
let rxpk = 0;
let datagrams = 0;
const ack = Buffer.alloc(4);
socket.on('message', (msg, from) => {
  if (msg.length < 4) return;
  datagrams++;
  if (msg[3] === 0x00) {
    for (let i = msg.indexOf('"tmst":', 12); i >= 0; i = msg.indexOf('"tmst":', i + 7)) rxpk++;
  }
  if (msg[3] === 0x00 || msg[3] === 0x02) {
    ack[0] = msg[0];
    ack[1] = msg[1];
    ack[2] = msg[2];
    ack[3] = msg[3] === 0x00 ? 0x01 : 0x04;
    socket.send(ack, from.port, from.address);
  }
});
// A child process (fork) talks over its IPC channel: its CPU is then not the parent's.
const parent = parentPort ?? {
  postMessage: (m) => process.send(m),
  on: (e, f) => process.on(e, f),
};
socket.bind(0, '127.0.0.1', () => parent.postMessage({ port: socket.address().port }));
parent.on('message', (m) => {
  if (m === 'count') parent.postMessage({ rxpk, datagrams });
  if (m === 'stop') socket.close(() => process.exit(0));
});
