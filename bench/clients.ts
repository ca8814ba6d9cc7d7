/**
 * Opens many raw TCP clients in one process and records, for every event received, the time from
 * the append (`sentAt` in the payload, from `process.hrtime`) to the receipt. `process.hrtime` reads
 * CLOCK_MONOTONIC on Linux, which all processes of the machine share.
 */
import { connect } from 'node:net';

const [mode = 'sse', host = '127.0.0.1', portText = '0', countText = '0', token = ''] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const latenciesNs: number[] = [];
let connected = 0;
const sentAtPattern = /"draftId":"b(\d+)"/g;

for (let index = 0; index < count; index++) {
  const socket = connect(port, host);
  let partial = '';
  let counted = false;
  socket.setEncoding('utf8');
  socket.on('connect', () => {
    if (mode === 'sse') {
      socket.write(
        `GET /api/events?topics=drafts HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`,
      );
    } else {
      connected++;
      counted = true;
    }
  });
  socket.on('data', (chunk: string) => {
    const receivedAt = process.hrtime.bigint();
    if (!counted) {
      connected++;
      counted = true;
    }
    const text = partial + chunk;
    const lastBreak = text.lastIndexOf('\n');
    partial = text.slice(lastBreak + 1);
    for (const match of text.slice(0, lastBreak + 1).matchAll(sentAtPattern)) {
      latenciesNs.push(Number(receivedAt - BigInt(match[1] ?? '0')));
    }
  });
  socket.on('error', (error) => process.send?.({ kind: 'error', message: error.message }));
}

process.on('message', (message: unknown) => {
  if (message === 'status') process.send?.({ kind: 'status', connected, received: latenciesNs.length });
  if (message === 'latencies') process.send?.({ kind: 'latencies', values: latenciesNs });
  if (message === 'stop') process.exit(0);
});
