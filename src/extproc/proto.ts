// Loads the ext_proc and health protos from proto/ with @grpc/proto-loader.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ at the package root; this file sits at src/extproc/ (or dist/src/extproc/ when built). */
function protoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? ['..', '..', '..'] : ['..', '..'];
  return path.resolve(here, ...up, 'proto');
}

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [protoRoot()],
};

export interface LoadedProtos {
  extProcService: grpc.ServiceDefinition;
  healthService: grpc.ServiceDefinition;
  ExternalProcessorClient: grpc.ServiceClientConstructor;
  HealthClient: grpc.ServiceClientConstructor;
}

let cached: LoadedProtos | undefined;
let statusByName: Map<string, number> | undefined;

/** Reads an envoy.type.v3.StatusCode as decoded by proto-loader (enum name or number). */
export function httpStatusNumber(code: number | string | undefined): number {
  if (typeof code === 'number') return code;
  if (code === undefined) return 0;
  loadProtos();
  return statusByName?.get(code) ?? Number(code);
}

export function loadProtos(): LoadedProtos {
  if (cached) return cached;
  const def = protoLoader.loadSync(
    ['envoy/service/ext_proc/v3/external_processor.proto', 'grpc/health/v1/health.proto'],
    PROTO_LOADER_OPTIONS,
  );
  const statusEnum = def['envoy.type.v3.StatusCode'] as unknown as {
    type: { value: Array<{ name: string; number: number }> };
  };
  statusByName = new Map(statusEnum.type.value.map((v) => [v.name, v.number]));
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    envoy: { service: { ext_proc: { v3: { ExternalProcessor: grpc.ServiceClientConstructor } } } };
    grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
  };
  const ExternalProcessorClient = pkg.envoy.service.ext_proc.v3.ExternalProcessor;
  const HealthClient = pkg.grpc.health.v1.Health;
  cached = {
    extProcService: ExternalProcessorClient.service,
    healthService: HealthClient.service,
    ExternalProcessorClient,
    HealthClient,
  };
  return cached;
}
