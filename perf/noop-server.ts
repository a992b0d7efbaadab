// The floor: an ext_proc server on the same stack (grpc-js + proto-loader) that answers every
// message with CONTINUE of the matching kind and does nothing else.
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../src/extproc/wire.js';
import { answerStatsRequests } from './child-stats.js';

export function startNoopServer(address: string): Promise<{ address: string; close(): Promise<void> }> {
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
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) return reject(err);
      resolve({
        address: address.replace(/:\d+$/, `:${port}`),
        close: () => new Promise<void>((r) => server.tryShutdown(() => r())),
      });
    });
  });
}

// Run directly: node dist/perf/noop-server.js 127.0.0.1:0 → prints the bound address; with an IPC
// channel it also answers the suite's stats requests (event-loop delay, heap, handles).
if (process.argv[1]?.endsWith('noop-server.js')) {
  answerStatsRequests();
  startNoopServer(process.argv[2] ?? '127.0.0.1:0').then(
    (s) => process.stdout.write(`listening ${s.address}\n`),
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}
