// The Envoy-level ext_proc settings outside the plain Envoy files: envoy/envoy-full-duplex.yaml,
// and the typed_config that the Istio and GIE recipes' EnvoyFilters insert. Envoy cannot run here,
// so, like envoy-config.test.ts, these are structural checks:
// - envoy-full-duplex.yaml is envoy/envoy.yaml with only the ext_proc processing plan changed;
// - every processing_mode uses the fields and enum names of Envoy's ProcessingMode proto
//   (proto/envoy/extensions/filters/http/ext_proc/v3/processing_mode.proto) and satisfies the
//   rules Envoy enforces when it loads the filter (FULL_DUPLEX_STREAMED needs the trailer mode of
//   its direction SEND and failure_mode_allow false);
// - each EnvoyFilter snippet is the matching Envoy file's filter, up to the cluster name.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { parse } from 'yaml';
import { haveKubectl, renderRecipe } from './recipe-render.js';

const EXT_PROC = 'envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor';

function envoyFile(file: string) {
  const bootstrap = parse(readFileSync(file, 'utf8'));
  const listener = bootstrap.static_resources.listeners[0];
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  const filters: any[] = hcm.http_filters;
  const extProc = filters.find((f) => f.name === 'envoy.filters.http.ext_proc')!.typed_config;
  return { bootstrap, listener, filters, extProc };
}

const processingMode = new protobuf.Root()
  .loadSync(path.resolve('proto/envoy/extensions/filters/http/ext_proc/v3/processing_mode.proto'), { keepCase: true })
  .lookupType('envoy.extensions.filters.http.ext_proc.v3.ProcessingMode');

/** Problems of a processing_mode (YAML, proto field names) against the proto and Envoy's load-time rules. */
function processingModeProblems(mode: Record<string, string | undefined>, failureModeAllow: boolean): string[] {
  const problems: string[] = [];
  for (const [field, value] of Object.entries(mode)) {
    const f = processingMode.fields[field];
    if (!f) {
      problems.push(`${field}: no such field in ProcessingMode`);
      continue;
    }
    const values = (f.resolve().resolvedType as protobuf.Enum | null)?.values ?? {};
    if (value === undefined || !(value in values)) problems.push(`${field}: ${value} is not a ${f.type} value`);
  }
  for (const dir of ['request', 'response']) {
    if (mode[`${dir}_body_mode`] === 'FULL_DUPLEX_STREAMED') {
      if (mode[`${dir}_trailer_mode`] !== 'SEND') problems.push(`${dir}_body_mode FULL_DUPLEX_STREAMED needs ${dir}_trailer_mode SEND`);
      if (failureModeAllow) problems.push('FULL_DUPLEX_STREAMED does not support failure_mode_allow: true');
    }
  }
  return problems;
}

const base = envoyFile('envoy/envoy.yaml');
const duplex = envoyFile('envoy/envoy-full-duplex.yaml');

/** An ext_proc typed_config without what legitimately differs between files. */
function withoutPlan(cfg: any) {
  const rest = { ...cfg };
  delete rest.processing_mode;
  delete rest.allow_mode_override;
  return rest;
}

describe('envoy/envoy-full-duplex.yaml', () => {
  it('streams both bodies FULL_DUPLEX_STREAMED, trailers SEND, fail closed, no mode overrides', () => {
    expect(duplex.extProc.processing_mode).toEqual({
      request_header_mode: 'SEND',
      request_body_mode: 'FULL_DUPLEX_STREAMED',
      request_trailer_mode: 'SEND',
      response_header_mode: 'SEND',
      response_body_mode: 'FULL_DUPLEX_STREAMED',
      response_trailer_mode: 'SEND',
    });
    expect(duplex.extProc.failure_mode_allow).toBe(false);
    expect(duplex.extProc.allow_mode_override).toBe(false);
  });

  it('is envoy/envoy.yaml except for the ext_proc processing plan', () => {
    const strip = (f: ReturnType<typeof envoyFile>) => {
      const b = structuredClone(f.bootstrap);
      const hcm = b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
      const ext = hcm.http_filters.find((x: any) => x.name === 'envoy.filters.http.ext_proc');
      ext.typed_config = withoutPlan(ext.typed_config);
      return b;
    };
    expect(strip(duplex)).toEqual(strip(base));
    // Still the shipped plan's order: header strip first, ext_proc, router last.
    expect(duplex.filters.map((f) => f.name)).toEqual(base.filters.map((f) => f.name));
  });
});

describe.each([
  { file: 'envoy/envoy.yaml', cfg: base.extProc },
  { file: 'envoy/envoy-sidecar-uds.yaml', cfg: envoyFile('envoy/envoy-sidecar-uds.yaml').extProc },
  { file: 'deploy/kubernetes/base/envoy.yaml', cfg: envoyFile('deploy/kubernetes/base/envoy.yaml').extProc },
  { file: 'envoy/envoy-full-duplex.yaml', cfg: duplex.extProc },
])('$file: ext_proc typed_config', ({ cfg }) => {
  it(`is an ${EXT_PROC} whose processing_mode matches Envoy's ProcessingMode proto and load-time rules`, () => {
    expect(cfg['@type']).toBe(`type.googleapis.com/${EXT_PROC}`);
    expect(processingModeProblems(cfg.processing_mode, cfg.failure_mode_allow)).toEqual([]);
  });
});

describe('the proto check itself', () => {
  it.each([
    { what: 'an unknown field', mode: { request_body_mode: 'BUFFERED', request_body: 'BUFFERED' }, fma: false, problem: /no such field/ },
    { what: 'a wrong enum name', mode: { request_body_mode: 'FULL_DUPLEX' }, fma: false, problem: /not a BodySendMode value/ },
    { what: 'a header mode name as a body mode', mode: { response_body_mode: 'SEND' }, fma: false, problem: /not a BodySendMode value/ },
    { what: 'FULL_DUPLEX_STREAMED with trailers skipped', mode: { request_body_mode: 'FULL_DUPLEX_STREAMED', request_trailer_mode: 'SKIP' }, fma: false, problem: /needs request_trailer_mode SEND/ },
    { what: 'FULL_DUPLEX_STREAMED failing open', mode: { response_body_mode: 'FULL_DUPLEX_STREAMED', response_trailer_mode: 'SEND' }, fma: true, problem: /failure_mode_allow/ },
  ])('rejects $what', ({ mode, fma, problem }) => {
    expect(processingModeProblems(mode, fma).join('; ')).toMatch(problem);
  });
});

(haveKubectl() ? describe : describe.skip)('EnvoyFilter typed_config in the recipes', () => {
  let snippets: { recipe: string; file: ReturnType<typeof envoyFile>; cfg: any; cluster: string }[];
  beforeAll(() => {
    snippets = [
      { recipe: 'istio', file: base },
      { recipe: 'gie', file: duplex },
    ].map(({ recipe, file }) => {
      const r = renderRecipe(recipe);
      const patch = r.one('EnvoyFilter').spec.configPatches.find((p: any) => p.applyTo === 'HTTP_FILTER');
      const svc = r.one('Service', 'semroute');
      return {
        recipe,
        file,
        cfg: patch.patch.value.typed_config,
        cluster: `outbound|${svc.spec.ports[0].port}||${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`,
      };
    });
  });

  it("istio: envoy/envoy.yaml's filter (BUFFERED, overrides allowed), dialling Istio's cluster for the semroute Service", () => {
    const s = snippets.find((x) => x.recipe === 'istio')!;
    expect(s.cfg).toEqual({ ...s.file.extProc, grpc_service: { envoy_grpc: { cluster_name: s.cluster } } });
    expect(processingModeProblems(s.cfg.processing_mode, s.cfg.failure_mode_allow)).toEqual([]);
  });

  it("gie: envoy/envoy-full-duplex.yaml's filter (FULL_DUPLEX_STREAMED), dialling Istio's cluster for the semroute Service", () => {
    const s = snippets.find((x) => x.recipe === 'gie')!;
    expect(s.cfg).toEqual({ ...s.file.extProc, grpc_service: { envoy_grpc: { cluster_name: s.cluster } } });
    expect(processingModeProblems(s.cfg.processing_mode, s.cfg.failure_mode_allow)).toEqual([]);
  });
});
