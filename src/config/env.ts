// ${VAR} and ${VAR:-default} substitution in the string values of a parsed config document.
// Substituting after YAML parsing means an environment value can never inject YAML structure.
// A value that is exactly one reference (`port: ${PORT}`) is re-read as a YAML scalar, so numbers
// and booleans keep their type; `$${` writes a literal `${`.
import { parse as parseYaml } from 'yaml';
import { pathString, type ConfigIssue } from './issues.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;
const MALFORMED = /\$\{(?![A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})/;

type Env = Record<string, string | undefined>;

function substituteString(value: string, env: Env, path: PropertyKey[], issues: ConfigIssue[]): unknown {
  if (!value.includes('${')) return value;
  const unescaped = value.replace(/\$\$\{/g, '');
  if (MALFORMED.test(unescaped)) {
    issues.push({ path: pathString(path), message: 'malformed ${...} reference (expected ${NAME} or ${NAME:-default})' });
    return value;
  }
  const out = value.replace(REFERENCE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const v = env[name!];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    issues.push({ path: pathString(path), message: `environment variable ${name} is not set (write \${${name}:-default} for a default)` });
    return '';
  });
  if (!WHOLE_REFERENCE.test(value)) return out;
  const scalar: unknown = parseYaml(out);
  return scalar === null || typeof scalar === 'object' ? out : scalar;
}

export function substituteEnv(doc: unknown, env: Env, issues: ConfigIssue[], path: PropertyKey[] = []): unknown {
  if (typeof doc === 'string') return substituteString(doc, env, path, issues);
  if (Array.isArray(doc)) return doc.map((v, i) => substituteEnv(v, env, issues, [...path, i]));
  if (doc !== null && typeof doc === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) out[k] = substituteEnv(v, env, issues, [...path, k]);
    return out;
  }
  return doc;
}
