// An ext_proc client at the HTTP/2 frame level (node:http2, no grpc-js), for the orders of events
// grpc-js's client cannot produce: HEADERS, a message and RST_STREAM written in the same tick, as
// Envoy does when the downstream goes away while its stream opens.
import http2 from 'node:http2';
import { loadProtos } from '../../src/extproc/proto.js';
import type { ProcessingRequest } from '../../src/extproc/wire.js';
import { until } from './until.js';

const PROCESS_PATH = '/envoy.service.ext_proc.v3.ExternalProcessor/Process';

/** One gRPC length-prefixed message frame. */
export function grpcFrame(req: ProcessingRequest): Buffer {
  const msg = loadProtos().extProcService.Process!.requestSerialize(req);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(msg.length, 1);
  return Buffer.concat([head, msg]);
}

export class RawExtProcConnection {
  private session: http2.ClientHttp2Session;
  private settings!: Promise<http2.Settings>;

  constructor(private readonly address: string) {
    this.session = this.connect();
  }

  /** Every connection opened, the rotated ones too: close() ends them all. */
  private readonly sessions = new Set<http2.ClientHttp2Session>();

  private connect(): http2.ClientHttp2Session {
    const session = http2.connect(`http://${this.address}`);
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    session.on('error', () => undefined);
    this.settings = new Promise((resolve) => session.once('remoteSettings', resolve));
    // The server rotates connections (GOAWAY): reconnect on the next open(), as Envoy does.
    session.on('goaway', () => session.close());
    return session;
  }

  /** Resolves once the connection is up, so that frames written next leave together. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.session.connecting) return resolve();
      this.session.once('connect', () => resolve());
      this.session.once('error', reject);
    });
  }

  /** Opens a Process stream (HEADERS), on a new connection when the last one was closed. */
  open(): http2.ClientHttp2Stream {
    if (this.session.closed || this.session.destroyed) this.session = this.connect();
    const stream = this.session.request({
      ':method': 'POST',
      ':path': PROCESS_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    stream.on('error', () => undefined);
    return stream;
  }

  /** The server's first SETTINGS frame on the current connection. */
  remoteSettings(): Promise<http2.Settings> {
    return this.settings;
  }

  /** Resolves once the server's SETTINGS (the first frame, or a later one) carry this stream window. */
  async streamWindowIs(bytes: number): Promise<void> {
    await until(() => this.session.remoteSettings?.initialWindowSize === bytes, 10_000, `a stream window of ${bytes} bytes`);
  }

  /** Resolves once the connection-level send window (granted by the server) reaches `bytes`. */
  async connectionWindowAtLeast(bytes: number): Promise<void> {
    await until(() => (this.session.state.remoteWindowSize ?? 0) >= bytes, 10_000, `a connection window of ${bytes} bytes`);
  }

  /** Ends every connection now (a test is over: nothing may keep the process alive). */
  close(): void {
    for (const session of this.sessions) session.destroy();
  }
}
