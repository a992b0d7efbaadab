// A real gRPC ext_proc client for tests: sends messages one at a time and waits for each answer,
// as Envoy does.
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../src/extproc/proto.js';
import type { ProcessingRequest, ProcessingResponse } from '../../src/extproc/wire.js';

export interface ExtProcCall {
  /** Sends one message and resolves with its answer (rejects if the stream ends first). */
  send(req: ProcessingRequest): Promise<ProcessingResponse>;
  halfClose(): void;
  cancel(): void;
  /** Resolves with the final gRPC status when the server closes the stream. */
  status: Promise<grpc.StatusObject>;
}

export function extProcClient(
  target: string,
  credentials = grpc.credentials.createInsecure(),
  options: grpc.ChannelOptions = {},
): grpc.Client & { Process(): grpc.ClientDuplexStream<ProcessingRequest, ProcessingResponse> } {
  const { ExternalProcessorClient } = loadProtos();
  // Envoy's gRPC client has no receive limit by default; grpc-js has 4 MiB.
  return new ExternalProcessorClient(target, credentials, {
    'grpc.max_receive_message_length': -1,
    ...options,
  }) as never;
}

export function openCall(client: ReturnType<typeof extProcClient>): ExtProcCall {
  const call = client.Process();
  const waiting: Array<{ resolve(r: ProcessingResponse): void; reject(e: Error): void }> = [];
  call.on('data', (res: ProcessingResponse) => waiting.shift()?.resolve(res));
  const status = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
  call.on('error', () => undefined);
  void status.then(() => {
    for (const w of waiting.splice(0)) w.reject(new Error('stream closed before an answer'));
  });
  return {
    send(req) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        call.write(req);
      });
    },
    halfClose: () => call.end(),
    cancel: () => call.cancel(),
    status,
  };
}
