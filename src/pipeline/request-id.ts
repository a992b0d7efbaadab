// The request id: Envoy's x-request-id (its connection manager generates one unless told not to),
// or one semroute makes when it is absent or unusable (over 128 characters, or characters outside
// a header token), which is then set on the upstream request so that the model's logs and
// semroute's carry the same id. It labels logs and traces only: no identity, cache key, session
// or authorisation decision reads it (a client can send any value).
import { randomUUID } from 'node:crypto';
import type { RequestHeaders } from './headers.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_REQUEST_ID_CHARS = 128;
const USABLE = /^[A-Za-z0-9._~:@+/=-]+$/;

export interface RequestId {
  id: string;
  /** True when semroute made it (and sets it upstream). */
  generated: boolean;
}

export function requestIdOf(headers: RequestHeaders): RequestId {
  const sent = headers.get(REQUEST_ID_HEADER)?.trim();
  if (sent && sent.length <= MAX_REQUEST_ID_CHARS && USABLE.test(sent)) return { id: sent, generated: false };
  return { id: randomUUID(), generated: true };
}
