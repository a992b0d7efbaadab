// Strict validation of rendered Kubernetes objects against their published schemas, offline:
// - core types (Deployment, Service, ConfigMap, Pod, RBAC, ...): kubernetes-models 4.3.1 (Kubernetes
//   v1.27.1 OpenAPI) plus the newer fields listed in NEWER_FIELDS, Gateway API: @kubernetes-models/gateway-api 0.5.1 (Gateway API v1.0.0 CRDs), Istio:
//   @kubernetes-models/istio 2.3.0 (Istio v1.18.0 CRDs). These are the last releases that ship the
//   JSON schemas themselves (later ones ship only compiled validators) and that run on Node 20.
//   Each module holds its schema as a JSON literal (`const schema = {...}`) registered under an
//   id with `register(id, schema)`; it is read from the file, not executed.
// - Envoy Gateway, Gateway API Inference Extension and agentgateway: the CRD schema excerpts
//   vendored in deploy/schemas/ (see its README.md).
// Every object schema with properties is closed (additionalProperties: false) unless it allows
// unknown fields itself (x-kubernetes-preserve-unknown-fields, or an empty property list where the
// generator dropped that marker: Istio's EnvoyFilter patch.value, google.protobuf.Struct fields),
// so an unknown field fails like a wrong enum or a missing required field. CEL rules
// (x-kubernetes-validations) are not evaluated.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const MODULES = path.resolve('node_modules');
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** apiVersion/kind → schema id and the module file that registers it. */
const CORE: Record<string, string> = {
  'v1/ConfigMap': 'IoK8sApiCoreV1ConfigMap',
  'v1/Namespace': 'IoK8sApiCoreV1Namespace',
  'v1/Service': 'IoK8sApiCoreV1Service',
  'v1/ServiceAccount': 'IoK8sApiCoreV1ServiceAccount',
  'apps/v1/Deployment': 'IoK8sApiAppsV1Deployment',
  'policy/v1/PodDisruptionBudget': 'IoK8sApiPolicyV1PodDisruptionBudget',
  'v1/Pod': 'IoK8sApiCoreV1Pod',
  'apps/v1/StatefulSet': 'IoK8sApiAppsV1StatefulSet',
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': 'IoK8sApiAdmissionregistrationV1MutatingWebhookConfiguration',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'IoK8sApiRbacV1ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'IoK8sApiRbacV1ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'IoK8sApiRbacV1Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'IoK8sApiRbacV1RoleBinding',
};

/**
 * Fields newer than the Kubernetes v1.27.1 schemas, added to them here (each with the release
 * that added it). Only these: anything else unknown still fails.
 */
const NEWER_FIELDS: Record<string, (schema: any) => void> = {
  // Native sidecars (alpha 1.28, beta 1.29): an init container with restartPolicy Always. The only
  // value the API server accepts, and only on initContainers (checked by the inject tests).
  'io.k8s.api.core.v1.Container': (schema) => {
    schema.properties.restartPolicy = { type: 'string', enum: ['Always'] };
  },
};
const THIRD_PARTY: Record<string, string> = {
  'gateway.networking.k8s.io/v1/GatewayClass': '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass.mjs',
  'gateway.networking.k8s.io/v1/Gateway': '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway.mjs',
  'gateway.networking.k8s.io/v1/HTTPRoute': '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute.mjs',
  'gateway.networking.k8s.io/v1beta1/ReferenceGrant': '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant.mjs',
  'networking.istio.io/v1alpha3/EnvoyFilter': '@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter.mjs',
  'networking.istio.io/v1alpha3/VirtualService': '@kubernetes-models/istio/networking.istio.io/v1alpha3/VirtualService.mjs',
  'networking.istio.io/v1alpha3/DestinationRule': '@kubernetes-models/istio/networking.istio.io/v1alpha3/DestinationRule.mjs',
  'networking.istio.io/v1alpha3/Gateway': '@kubernetes-models/istio/networking.istio.io/v1alpha3/Gateway.mjs',
};

/** Where each schema source is from, for the test names and the report. */
export const SCHEMA_SOURCES = {
  core: 'kubernetes-models 4.3.1 (Kubernetes v1.27.1)',
  gatewayApi: '@kubernetes-models/gateway-api 0.5.1 (Gateway API v1.0.0)',
  istio: '@kubernetes-models/istio 2.3.0 (Istio v1.18.0)',
  vendored: 'deploy/schemas/*.yaml',
};

interface ModuleSchema {
  id: string;
  schema: any;
  deps: string[];
}

/** Reads the schema literal, its id and the schema modules it depends on from a model module. */
function readModule(file: string): ModuleSchema {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('const schema = {');
  const end = text.indexOf('\n};', start);
  if (start < 0 || end < 0) throw new Error(`${file}: no schema literal`);
  const schema = JSON.parse(text.slice(start + 'const schema = '.length, end + 2));
  const id = /register\("([^"]+)", schema\)/.exec(text)?.[1] ?? /const schemaId = "([^"]+)"/.exec(text)?.[1];
  if (!id) throw new Error(`${file}: no schema id`);
  const deps = [...text.matchAll(/import \{ addSchema(?: as \w+)? \} from "([^"]+)"/g)].map((m) => {
    const spec = m[1]!;
    const resolved = spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : path.join(MODULES, spec);
    return resolved.endsWith('.mjs') ? resolved : `${resolved}.mjs`;
  });
  return { id, schema, deps };
}

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

/**
 * Closes every object schema that lists properties and says nothing about others. Only schemas that
 * describe a value (they have a `type`) are closed, not partial schemas inside oneOf/anyOf/allOf
 * that add a constraint to their parent.
 */
export function closeObjects(s: any): any {
  if (Array.isArray(s)) {
    s.forEach(closeObjects);
    return s;
  }
  if (!s || typeof s !== 'object') return s;
  const props = s.properties;
  if (
    props && typeof props === 'object' && Object.keys(props).length > 0 &&
    s.additionalProperties === undefined && s[PRESERVE] !== true && s.type !== undefined
  ) {
    s.additionalProperties = false;
  }
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') Object.values(v).forEach(closeObjects);
    else if (k !== 'enum' && k !== 'default' && k !== 'x-kubernetes-validations') closeObjects(v);
  }
  return s;
}

function int(min: number, max: number) {
  return { type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= min && n <= max };
}

function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat('int32', int(-(2 ** 31), 2 ** 31 - 1));
  ajv.addFormat('int64', int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  ajv.addFormat('quantity', /^[+-]?(\d+|\d+\.\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?$/);
  for (const f of ['binary', 'ipv4', 'ipv6', 'int-or-string', 'string', 'uri', 'hostname']) ajv.addFormat(f, true);
  return ajv;
}

export interface Validator {
  /** Errors of `obj` against the schema of its apiVersion/kind; throws for a kind with no schema. */
  errors(obj: any): ErrorObject[];
  kinds(): string[];
}

export function loadValidator(vendoredDir = 'deploy/schemas'): Validator {
  const ajv = newAjv();
  const loaded = new Set<string>();
  const addModule = (file: string): string => {
    const m = readModule(file);
    if (!loaded.has(m.id)) {
      loaded.add(m.id);
      NEWER_FIELDS[m.id]?.(m.schema);
      ajv.addSchema(closeObjects(m.schema), m.id);
      m.deps.forEach(addModule);
    }
    return m.id;
  };
  const byKind = new Map<string, string>();
  for (const [kind, name] of Object.entries(CORE)) {
    byKind.set(kind, addModule(path.join(MODULES, 'kubernetes-models/_schemas', `${name}.mjs`)));
  }
  for (const [kind, file] of Object.entries(THIRD_PARTY)) byKind.set(kind, addModule(path.join(MODULES, file)));
  addModule(path.join(MODULES, '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta.mjs'));

  for (const f of readdirSync(vendoredDir).filter((x) => x.endsWith('.yaml')).sort()) {
    const doc = parse(readFileSync(path.join(vendoredDir, f), 'utf8'));
    for (const s of doc.schemas as any[]) {
      const schema = structuredClone(s.openAPIV3Schema);
      // The API server checks metadata as ObjectMeta whatever the CRD says (`type: object`).
      schema.properties.metadata = { $ref: `${OBJECT_META}#` };
      schema.properties.apiVersion = { type: 'string', enum: [s.apiVersion] };
      schema.properties.kind = { type: 'string', enum: [s.kind] };
      schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
      // No '/' in an id: ajv would resolve the ObjectMeta reference against it as a path.
      const id = `vendored.${String(s.apiVersion).replace('/', '.')}.${s.kind}`;
      ajv.addSchema(closeObjects(schema), id);
      byKind.set(`${s.apiVersion}/${s.kind}`, id);
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  return {
    errors(obj: any): ErrorObject[] {
      const key = `${obj?.apiVersion}/${obj?.kind}`;
      const id = byKind.get(key);
      if (!id) throw new Error(`no schema for ${key}`);
      let v = compiled.get(id);
      if (!v) {
        v = ajv.getSchema(id)!;
        compiled.set(id, v);
      }
      return v(obj) ? [] : dropNullBranches(v.errors ?? []);
    },
    kinds: () => [...byKind.keys()].sort(),
  };
}

/**
 * kubernetes-models writes an optional reference as oneOf [ref, null]: a failure inside the ref
 * also reports "must be null" and "must match exactly one schema". Keep the errors that say what
 * is wrong.
 */
function dropNullBranches(errors: ErrorObject[]): ErrorObject[] {
  const real = errors.filter((e) => e.keyword !== 'oneOf' && !(e.keyword === 'type' && e.params.type === 'null'));
  return real.length > 0 ? real : errors;
}

export function describeErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? `: ${String(e.params.additionalProperty)}` : ''}`);
}
