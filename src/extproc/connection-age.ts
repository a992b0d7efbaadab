// Connection rotation with a two-phase GOAWAY. grpc-js's own max_connection_age sends the GOAWAY
// notice (last stream id 2^31-1) and closes the session in the same tick, and Node's close() sends
// the final GOAWAY naming the last stream it has seen: every stream the client opened while both
// frames were in flight is refused (REFUSED_STREAM, UNAVAILABLE "Stream refused by server"). A
// client that has sent a request body cannot retry it transparently (grpc-js buffers at most
// 256 KiB, Envoy's ext_proc filter not at all), so each rotation failed requests: 804 of 100,000
// fuzz sequences. Waiting for the answer to a PING sent after the notice is not enough either:
// nghttp2 sends a PING ack ahead of HEADERS frames it has queued, so streams opened just before the
// notice was read can still arrive after the ack (13 of 12,000 sequences refused). Here the notice
// alone is sent: a well-behaved client (Envoy, grpc-js) opens no new stream on the connection and
// closes it once its open streams end (Envoy's connection pool: drain on GOAWAY, close when idle).
// Only a client that keeps it past drainMs gets the final GOAWAY (by then it has long read the
// notice; open streams still finish). A grpc-js client instead answers the notice with its own
// GOAWAY, which Node's server answers by closing at once: the few streams that client had queued
// behind its GOAWAY are refused, a client-side quirk that Envoy does not share.
//
// A connection is rotated when it is old, or when it has carried enough streams: Envoy without
// ext_proc_graceful_grpc_close resets every ext_proc stream, and nghttp2 (inside Node's HTTP/2
// server) allows a burst of 1000 incoming RST_STREAMs per connection, refilled at 33/s, then
// answers GOAWAY INTERNAL_ERROR, failing every stream open on it. A connection that carries fewer
// streams than the burst can never spend it, at any request rate (Node 20 does not expose the
// limit: streamResetBurst and streamResetRate came later, and grpc-js passes neither).
import http2 from 'node:http2';

export interface ConnectionAgeOptions {
  /** Rotate after this long, ±10 % jitter (so a fleet's connections do not rotate together); 0: never. */
  maxAgeMs: number;
  /** Rotate once this many streams were opened on the connection; 0: never. */
  maxStreams: number;
  /** How long after the notice the client may keep the connection before the final GOAWAY. */
  drainMs?: number;
  /** Called when the notice is sent (for metrics and tests). */
  onRotate?: () => void;
}

/** Largest HTTP/2 stream id: the GOAWAY "notice" that refuses nothing (RFC 9113 §6.8). */
const NOTICE_LAST_STREAM_ID = 2 ** 31 - 1;
const DEFAULT_DRAIN_MS = 10_000;

/** Rotates one session when it is old or has carried maxStreams streams, whichever comes first. */
export function rotateWhenSpent(session: http2.ServerHttp2Session, opts: ConnectionAgeOptions): void {
  let rotated = false;
  const once = () => {
    if (rotated) return;
    rotated = true;
    clearTimeout(timer);
    session.off('stream', onStream);
    rotate(session, opts);
  };
  let streams = 0;
  const onStream = () => {
    if (++streams >= opts.maxStreams) once();
  };
  if (opts.maxStreams > 0) session.on('stream', onStream);
  const jitter = (Math.random() * 0.2 - 0.1) * opts.maxAgeMs;
  const timer = opts.maxAgeMs > 0 ? setTimeout(once, opts.maxAgeMs + jitter) : undefined;
  timer?.unref();
  session.once('close', () => {
    clearTimeout(timer);
    session.off('stream', onStream);
  });
}

function rotate(session: http2.ServerHttp2Session, opts: ConnectionAgeOptions): void {
  if (session.closed || session.destroyed) return;
  try {
    session.goaway(http2.constants.NGHTTP2_NO_ERROR, NOTICE_LAST_STREAM_ID);
  } catch {
    return; // closing already
  }
  opts.onRotate?.();
  const drained = setTimeout(() => {
    if (!session.closed && !session.destroyed) session.close();
  }, opts.drainMs ?? DEFAULT_DRAIN_MS);
  drained.unref();
  session.once('close', () => clearTimeout(drained));
}

