// The floor of the protocol benchmark: noop-server.ts's ext_proc server (CONTINUE of the matching
// kind to every message, on grpc-js + proto-loader) plus what semroute's ExtProcServer does to its
// HTTP/2 sessions: Envoy's flow-control windows (watchSessions) and rotation by stream count
// (rotateWhenSpent, listeners.grpc defaults: 800 streams, 60 s). The local gateway resets every
// ext_proc stream as Envoy does, and without rotation nghttp2's reset burst (1000 per connection)
// answers GOAWAY INTERNAL_ERROR after a few seconds of load, failing the floor's requests.
//   node dist/perf/protocol-floor.js [127.0.0.1:0]   → prints "listening ADDR"
import * as grpc from '@grpc/grpc-js';
import { rotateWhenSpent } from '../src/extproc/connection-age.js';
import { watchSessions } from '../src/extproc/flow-control.js';
import { loadProtos } from '../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../src/extproc/wire.js';
import { answerStatsRequests } from './child-stats.js';

async function main(): Promise<void> {
  answerStatsRequests();
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(loadProtos().extProcService, {
    Process: (call: grpc.ServerDuplexStream<ProcessingRequest, ProcessingResponse>) => {
      call.on('data', (req: ProcessingRequest) => {
        const kind = req.request;
        if (!kind) return;
        call.write(kind.endsWith('trailers') ? { [kind]: {} } : { [kind]: { response: {} } });
      });
      call.on('end', () => call.end());
      call.on('error', () => undefined);
    },
  });
  const address = process.argv[2] ?? '127.0.0.1:0';
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  if (!watchSessions(server, (session) => rotateWhenSpent(session, { maxAgeMs: 60_000, maxStreams: 800 }))) {
    throw new Error('cannot reach grpc-js HTTP/2 sessions');
  }
  process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
  process.stdout.write(`listening ${address.replace(/:\d+$/, `:${port}`)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`protocol-floor: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
