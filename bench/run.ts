import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type EventsBenchmark, runEventsBenchmark } from './events.js';

const docPath = new URL('../docs/benchmarks.md', import.meta.url).pathname;
const HEADING = '## Event stream relay';

const ms = (value: number) => value.toFixed(2);
const kb = (bytes: number) => (bytes / 1024).toFixed(1);

function renderEvents(result: EventsBenchmark): string {
  const ratio = (gateway: number, bare: number) => (bare > 0 ? (gateway / bare).toFixed(2) : 'n/a');
  const env = Object.entries(result.environment)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return `${HEADING}

Measured by \`npm run bench\` (\`bench/events.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${env}.

Latency runs from just before the \`XADD\` in the benchmark process to the moment a client process
reads the bytes, both taken from \`process.hrtime\` (CLOCK_MONOTONIC, shared by all processes).
${result.clients} clients stay connected while ${result.events} events are appended 50 ms apart, so each
row has ${result.clients} × ${result.events} samples. The gateway runs in its own process with
\`GET /api/events?topics=drafts\` clients; the bare relay (\`bench/bare-relay.ts\`) is one blocking
\`XREAD\` writing each entry's data to as many raw TCP sockets, with no HTTP, SSE framing or filters.
All clients live in one child process on the same 2-core machine, so they compete with the server
for CPU in both runs.

| path | p50 ms | p99 ms | max ms | samples |
|---|---|---|---|---|
| gateway SSE, ${result.clients} clients | ${ms(result.gateway.p50)} | ${ms(result.gateway.p99)} | ${ms(result.gateway.max)} | ${result.gateway.samples} |
| bare relay, ${result.clients} clients | ${ms(result.bareRelay.p50)} | ${ms(result.bareRelay.p99)} | ${ms(result.bareRelay.max)} | ${result.bareRelay.samples} |
| bare \`XADD\` to \`XREAD\`, no fan-out | ${ms(result.bareRead.p50)} | ${ms(result.bareRead.p99)} | ${ms(result.bareRead.max)} | ${result.bareRead.samples} |

${result.busy ? 'The machine ran other work during this run (load average above the core count), so the tails\nare dominated by scheduling delays, and the ratios are a rough guide only.\n\n' : ''}Ratios, gateway to bare relay: p50 ${ratio(result.gateway.p50, result.bareRelay.p50)}, p99 ${ratio(result.gateway.p99, result.bareRelay.p99)} (goal: p99 at most 2).

Memory of the gateway process, measured after a full garbage collection before and after
${result.clients} clients connected: RSS grew from ${kb(result.memory.rssBefore)} KB to ${kb(result.memory.rssAfter)} KB, which is
${kb(result.memory.rssPerClient)} KB per client. The JavaScript heap plus external buffers grew by
${kb(result.memory.heapPerClient)} KB per client. The goal is under 50 KB per client.
`;
}

/** Replaces this benchmark's section of the page, keeping sections that other benchmarks write. */
function writeSection(section: string): void {
  mkdirSync(new URL('../docs/', import.meta.url).pathname, { recursive: true });
  const current = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(HEADING);
  if (start === -1) {
    writeFileSync(docPath, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + HEADING.length);
  const rest = next === -1 ? '' : current.slice(next + 1);
  writeFileSync(docPath, `${current.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`);
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const result = await runEventsBenchmark(log);
const section = renderEvents(result);
writeSection(section);
log(section);
