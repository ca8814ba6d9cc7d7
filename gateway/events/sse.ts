/**
 * Frames of the `text/event-stream` format (WHATWG HTML, "Server-sent events"). Each frame is
 * encoded once and the same bytes are written to every client that receives it.
 */

const lineBreak = /\r\n|\r|\n/;

/**
 * Encodes one event. A line break in `data` starts a new `data:` line, which the client joins back
 * with a line feed, so a multi-line payload cannot end the frame early. `id` and `type` must be free
 * of line breaks; the relay passes only stream ids and known event types.
 */
export function eventFrame(id: string, type: string, data: string): Buffer {
  const dataLines = data
    .split(lineBreak)
    .map((line) => `data: ${line}\n`)
    .join('');
  return Buffer.from(`id: ${id}\nevent: ${type}\n${dataLines}\n`, 'utf8');
}

/** A comment line, which clients ignore and proxies see as traffic. */
export function commentFrame(text: string): Buffer {
  return Buffer.from(`: ${text}\n\n`, 'utf8');
}

/**
 * A comment followed by an `id:` field with no data. The standard's parser stores the id as the
 * last event id without firing an event, so a browser that reconnects later resumes from it. The
 * `eventsource` npm package (v4) ignores such a frame.
 */
export function commentWithIdFrame(text: string, id: string): Buffer {
  return Buffer.from(`: ${text}\nid: ${id}\n\n`, 'utf8');
}
