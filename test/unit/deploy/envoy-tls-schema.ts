// Strict offline check of Envoy TLS config (UpstreamTlsContext, SDS Secret resources) against the
// field tables of Envoy's v3 API protos, as read from envoyproxy/envoy through read_file:
//   api/envoy/extensions/transport_sockets/tls/v3/tls.proto     02faf379d3c1ff8b20004b4ce027445569be00ec
//   api/envoy/extensions/transport_sockets/tls/v3/common.proto  015f6f25cd7c51619a96c6d6613871b5cc20a31e
//   api/envoy/extensions/transport_sockets/tls/v3/secret.proto  2cf4fc227fab23a473f5a450139f8ab284ffe1e2
//   api/envoy/config/core/v3/config_source.proto                185869c2cbcf6115e6dc6f63d9304c80a75752b7
//     (that copy predates path_config_source = 8 { path, watched_directory }, added in Envoy 1.24)
//   api/envoy/config/core/v3/base.proto (DataSource, WatchedDirectory), type/matcher/v3/string.proto
// Only the messages semroute's files use are listed, each with every field the proto declares, so
// an unknown or misspelt field fails, as protobuf JSON parsing in Envoy would; enums list their
// names; `oneofs` are groups of which at most one may be set (`required`: exactly one).
type Field = { msg: string } | { enum: readonly string[] } | 'string' | 'bool' | 'uint32' | 'duration' | 'bytes' | 'any';

interface Message {
  fields: Record<string, Field | { repeated: Field }>;
  oneofs?: Array<{ fields: string[]; required?: boolean }>;
}

const TLS_PROTOCOL = ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] as const;

export const MESSAGES: Record<string, Message> = {
  UpstreamTlsContext: {
    fields: {
      common_tls_context: { msg: 'CommonTlsContext' },
      sni: 'string',
      auto_host_sni: 'bool',
      auto_sni_san_validation: 'bool',
      allow_renegotiation: 'bool',
      max_session_keys: 'uint32',
      enforce_rsa_key_usage: 'bool',
    },
  },
  CommonTlsContext: {
    fields: {
      tls_params: { msg: 'TlsParameters' },
      tls_certificates: { repeated: { msg: 'TlsCertificate' } },
      tls_certificate_sds_secret_configs: { repeated: { msg: 'SdsSecretConfig' } },
      tls_certificate_provider_instance: 'any',
      custom_tls_certificate_selector: 'any',
      tls_certificate_certificate_provider: 'any',
      tls_certificate_certificate_provider_instance: 'any',
      validation_context: { msg: 'CertificateValidationContext' },
      validation_context_sds_secret_config: { msg: 'SdsSecretConfig' },
      combined_validation_context: { msg: 'CombinedCertificateValidationContext' },
      validation_context_certificate_provider: 'any',
      validation_context_certificate_provider_instance: 'any',
      alpn_protocols: { repeated: 'string' },
      custom_handshaker: 'any',
      key_log: 'any',
      read_ahead_buffer_size: 'uint32',
    },
    oneofs: [
      {
        fields: [
          'validation_context',
          'validation_context_sds_secret_config',
          'combined_validation_context',
          'validation_context_certificate_provider',
          'validation_context_certificate_provider_instance',
        ],
      },
    ],
  },
  CombinedCertificateValidationContext: {
    fields: {
      default_validation_context: { msg: 'CertificateValidationContext' },
      validation_context_sds_secret_config: { msg: 'SdsSecretConfig' },
      validation_context_certificate_provider: 'any',
      validation_context_certificate_provider_instance: 'any',
    },
    // Both marked (validate.rules).message.required.
    oneofs: [{ fields: ['default_validation_context'], required: true }, { fields: ['validation_context_sds_secret_config'], required: true }],
  },
  TlsParameters: {
    fields: {
      tls_minimum_protocol_version: { enum: TLS_PROTOCOL },
      tls_maximum_protocol_version: { enum: TLS_PROTOCOL },
      cipher_suites: { repeated: 'string' },
      ecdh_curves: { repeated: 'string' },
      signature_algorithms: { repeated: 'string' },
    },
  },
  TlsCertificate: {
    fields: {
      certificate_chain: { msg: 'DataSource' },
      private_key: { msg: 'DataSource' },
      pkcs12: { msg: 'DataSource' },
      watched_directory: { msg: 'WatchedDirectory' },
      private_key_provider: 'any',
      password: { msg: 'DataSource' },
      ocsp_staple: { msg: 'DataSource' },
      signed_certificate_timestamp: { repeated: { msg: 'DataSource' } },
    },
  },
  CertificateValidationContext: {
    fields: {
      trusted_ca: { msg: 'DataSource' },
      ca_certificate_provider_instance: 'any',
      watched_directory: { msg: 'WatchedDirectory' },
      verify_certificate_spki: { repeated: 'string' },
      verify_certificate_hash: { repeated: 'string' },
      match_typed_subject_alt_names: { repeated: { msg: 'SubjectAltNameMatcher' } },
      match_subject_alt_names: { repeated: { msg: 'StringMatcher' } },
      require_signed_certificate_timestamp: 'bool',
      crl: { msg: 'DataSource' },
      allow_expired_certificate: 'bool',
      trust_chain_verification: { enum: ['VERIFY_TRUST_CHAIN', 'ACCEPT_UNTRUSTED'] },
      custom_validator_config: 'any',
      only_verify_leaf_cert_crl: 'bool',
      max_verify_depth: 'uint32',
    },
  },
  SubjectAltNameMatcher: {
    // san_type: defined_only, not_in [0] (SAN_TYPE_UNSPECIFIED); matcher required.
    fields: { san_type: { enum: ['EMAIL', 'DNS', 'URI', 'IP_ADDRESS'] }, matcher: { msg: 'StringMatcher' } },
    oneofs: [{ fields: ['san_type'], required: true }, { fields: ['matcher'], required: true }],
  },
  StringMatcher: {
    fields: { exact: 'string', prefix: 'string', suffix: 'string', safe_regex: 'any', contains: 'string', custom: 'any', ignore_case: 'bool' },
    oneofs: [{ fields: ['exact', 'prefix', 'suffix', 'safe_regex', 'contains', 'custom'], required: true }],
  },
  SdsSecretConfig: {
    fields: { name: 'string', sds_config: { msg: 'ConfigSource' } },
    oneofs: [{ fields: ['name'], required: true }],
  },
  ConfigSource: {
    fields: {
      authorities: 'any',
      path: 'string',
      path_config_source: { msg: 'PathConfigSource' },
      api_config_source: 'any',
      ads: 'any',
      self: 'any',
      initial_fetch_timeout: 'duration',
      resource_api_version: { enum: ['AUTO', 'V2', 'V3'] },
    },
    oneofs: [{ fields: ['path', 'path_config_source', 'api_config_source', 'ads', 'self'], required: true }],
  },
  PathConfigSource: {
    fields: { path: 'string', watched_directory: { msg: 'WatchedDirectory' } },
    oneofs: [{ fields: ['path'], required: true }],
  },
  WatchedDirectory: { fields: { path: 'string' }, oneofs: [{ fields: ['path'], required: true }] },
  DataSource: {
    fields: { filename: 'string', inline_bytes: 'bytes', inline_string: 'string', environment_variable: 'string', watched_directory: { msg: 'WatchedDirectory' } },
    oneofs: [{ fields: ['filename', 'inline_bytes', 'inline_string', 'environment_variable'], required: true }],
  },
  Secret: {
    fields: {
      name: 'string',
      tls_certificate: { msg: 'TlsCertificate' },
      session_ticket_keys: 'any',
      validation_context: { msg: 'CertificateValidationContext' },
      generic_secret: 'any',
    },
    oneofs: [{ fields: ['tls_certificate', 'session_ticket_keys', 'validation_context', 'generic_secret'] }],
  },
};

export const TYPE_URLS: Record<string, string> = {
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext': 'UpstreamTlsContext',
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret': 'Secret',
};

function checkScalar(kind: Exclude<Field, { msg: string } | { enum: readonly string[] }>, v: unknown): boolean {
  switch (kind) {
    case 'string':
    case 'bytes':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'uint32':
      return Number.isInteger(v) && (v as number) >= 0;
    case 'duration':
      return typeof v === 'string' && /^\d+(\.\d+)?s$/.test(v);
    case 'any':
      return true;
  }
}

/** Every problem in `value` read as message `type` (empty: valid), with protobuf-JSON paths. */
export function validateMessage(type: string, value: unknown, path = type): string[] {
  const msg = MESSAGES[type];
  if (!msg) return [`${path}: no schema for ${type}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
  const errors: string[] = [];
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    if (key === '@type') continue;
    const spec = msg.fields[key];
    if (!spec) {
      errors.push(`${path}.${key}: unknown field of ${type}`);
      continue;
    }
    const one = (f: Field, item: unknown, p: string) => {
      if (typeof f === 'object' && 'msg' in f) errors.push(...validateMessage(f.msg, item, p));
      else if (typeof f === 'object' && 'enum' in f) {
        if (typeof item !== 'string' || !f.enum.includes(item)) errors.push(`${p}: ${String(item)} is not one of ${f.enum.join(', ')}`);
      } else if (!checkScalar(f, item)) errors.push(`${p}: not a ${f}`);
    };
    if (typeof spec === 'object' && 'repeated' in spec) {
      if (!Array.isArray(v)) errors.push(`${path}.${key}: expected a list`);
      else v.forEach((item, i) => one(spec.repeated, item, `${path}.${key}[${i}]`));
    } else one(spec, v, `${path}.${key}`);
  }
  for (const group of msg.oneofs ?? []) {
    const set = group.fields.filter((f) => obj[f] !== undefined);
    if (set.length > 1) errors.push(`${path}: at most one of ${group.fields.join(', ')} (got ${set.join(', ')})`);
    if (group.required && set.length === 0) errors.push(`${path}: ${group.fields.join(' or ')} is required`);
  }
  return errors;
}

/** A typed_config / SDS resource: its @type names the message. */
export function validateAny(value: any, path: string): string[] {
  const type = TYPE_URLS[value?.['@type']];
  if (!type) return [`${path}: unexpected @type ${String(value?.['@type'])}`];
  return validateMessage(type, value, path);
}
