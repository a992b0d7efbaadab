// grpc.health.v1.Health: Check and Watch over a status per service name ("" = the whole server).
import * as grpc from '@grpc/grpc-js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';
interface HealthRequest {
  service?: string;
}
interface HealthResponse {
  status: ServingStatus | 'SERVICE_UNKNOWN';
}

export const EXT_PROC_SERVICE = 'envoy.service.ext_proc.v3.ExternalProcessor';

export class HealthService {
  private status: ServingStatus = 'NOT_SERVING';
  private readonly watchers = new Set<grpc.ServerWritableStream<HealthRequest, HealthResponse>>();
  private readonly services = new Set(['', EXT_PROC_SERVICE]);

  set(status: ServingStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const w of this.watchers) if (this.services.has(w.request.service ?? '')) w.write({ status });
  }

  get current(): ServingStatus {
    return this.status;
  }

  /** Ends every Watch stream (at shutdown) so the server can close. */
  closeWatchers(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }

  readonly implementation: grpc.UntypedServiceImplementation = {
    Check: (
      call: grpc.ServerUnaryCall<HealthRequest, HealthResponse>,
      callback: grpc.sendUnaryData<HealthResponse>,
    ) => {
      const service = call.request.service ?? '';
      if (!this.services.has(service)) {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${service}"` });
        return;
      }
      callback(null, { status: this.status });
    },
    Watch: (call: grpc.ServerWritableStream<HealthRequest, HealthResponse>) => {
      const known = this.services.has(call.request.service ?? '');
      call.write({ status: known ? this.status : 'SERVICE_UNKNOWN' });
      this.watchers.add(call);
      call.on('cancelled', () => this.watchers.delete(call));
    },
  };
}
