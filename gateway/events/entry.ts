import { isEventType, STREAM_FIELD_DATA, STREAM_FIELD_TYPE, topicOf } from '../../shared/events.js';
import type { RelayedEvent } from './client.js';
import { eventFrame } from './sse.js';

/** A stream entry as ioredis returns it: the id and a flat list of field names and values. */
export type StreamEntry = [id: string, fields: string[]];

/**
 * Turns a stream entry into an event ready to send, or returns a reason when the entry is not an
 * event of this system (an unknown type, or data that is not a JSON object).
 */
export function toRelayedEvent([id, fields]: StreamEntry): RelayedEvent | { invalid: string } {
  let type: string | undefined;
  let data: string | undefined;
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] === STREAM_FIELD_TYPE) type = fields[index + 1];
    if (fields[index] === STREAM_FIELD_DATA) data = fields[index + 1];
  }
  if (type === undefined || !isEventType(type)) return { invalid: 'unknown event type' };
  if (data === undefined) return { invalid: 'no data field' };

  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return { invalid: 'data is not JSON' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { invalid: 'data is not a JSON object' };
  }

  const jobId = 'jobId' in payload && typeof payload.jobId === 'string' ? payload.jobId : null;
  return { id, type, topic: topicOf(type), jobId, frame: eventFrame(id, type, data) };
}
