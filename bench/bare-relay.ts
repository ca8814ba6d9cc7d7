/**
 * The ceiling for the event relay: one blocking `XREAD` that writes each entry's data, with a line
 * feed, to every connected TCP socket. No HTTP, no SSE framing, no filters.
 */
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';

const [redisUrl = '', streamKey = ''] = process.argv.slice(2);
const reader = new Redis(redisUrl, { maxRetriesPerRequest: null });
const sockets = new Set<Socket>();
const readLatenciesNs: number[] = [];
let stopped = false;

const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ kind: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
});

async function relay(): Promise<void> {
  const [last] = await reader.xrevrange(streamKey, '+', '-', 'COUNT', 1);
  let cursor = last?.[0] ?? '0-0';
  while (!stopped) {
    const reply = await reader.xread('COUNT', 500, 'BLOCK', 1_000, 'STREAMS', streamKey, cursor);
    const readAt = process.hrtime.bigint();
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        cursor = id;
        const data = fields[fields.indexOf('data') + 1] ?? '';
        const sentAt = /"draftId":"b(\d+)"/.exec(data)?.[1];
        if (sentAt) readLatenciesNs.push(Number(readAt - BigInt(sentAt)));
        const line = Buffer.from(`${data}\n`);
        for (const socket of sockets) socket.write(line);
      }
    }
  }
}
void relay().catch((error: unknown) => {
  if (!stopped) throw error;
});

process.on('message', (message: unknown) => {
  if (message === 'read-latencies') process.send?.({ kind: 'read-latencies', values: readLatenciesNs });
  if (message === 'stop') {
    stopped = true;
    reader.disconnect();
    for (const socket of sockets) socket.destroy();
    server.close(() => process.exit(0));
  }
});
