// HTTP/2 flow-control windows for the ext_proc listener. Node's HTTP/2 server grants a peer 64 KiB
// per stream and per connection until its JavaScript reads the data, so a 4 MiB request body from
// Envoy crosses in 64 window round trips, each waiting for a turn of semroute's event loop: under
// load that alone took over 4 s (the fuzz harness caught it). grpc-js exposes no server option for
// the windows, so they are set on each session as it opens.
import type http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** Per stream: a whole body up to the schema's largest max_body_bytes in one window. */
export const STREAM_WINDOW_BYTES = 64 * 1024 * 1024 + 1024 * 1024;
/** Per connection: a few such bodies at once; the body budget bounds what streams hold. */
export const CONNECTION_WINDOW_BYTES = 256 * 1024 * 1024;

function tune(session: http2.ServerHttp2Session): void {
  try {
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    session.settings({ initialWindowSize: STREAM_WINDOW_BYTES });
  } catch {
    // The session closed as it opened: nothing to tune.
  }
}

/**
 * Calls `onSession` with every HTTP/2 session (connection) the grpc-js server accepts from now on,
 * its windows already widened. Returns false when the server's HTTP/2 listeners cannot be reached
 * (a grpc-js change): the defaults then stay and nothing is reported.
 */
export function watchSessions(server: grpc.Server, onSession: (session: http2.ServerHttp2Session) => void): boolean {
  const listeners = (server as unknown as { http2Servers?: Map<http2.Http2Server, unknown> }).http2Servers;
  if (!(listeners instanceof Map) || listeners.size === 0) return false;
  for (const listener of listeners.keys()) {
    listener.on('session', (session: http2.ServerHttp2Session) => {
      tune(session);
      onSession(session);
    });
  }
  return true;
}
