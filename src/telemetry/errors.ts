// Helpers for `catch (e: unknown)`: a readable message and a stable code, whatever was thrown.

const MAX_MESSAGE = 2_000;

function truncate(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}

/** A one-line human message for any thrown value (Error, string, object with `message`, anything else). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return truncate(e.message || e.name);
  if (typeof e === 'string') return truncate(e);
  if (e === null || e === undefined) return String(e);
  if (typeof e === 'object') {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string') return truncate(m);
    try {
      const json = JSON.stringify(e);
      if (json !== undefined) return truncate(json);
    } catch {
      // circular or BigInt inside: fall through
    }
    return Object.prototype.toString.call(e);
  }
  if (typeof e === 'symbol') return e.toString();
  if (typeof e === 'function') return `[function ${e.name || 'anonymous'}]`;
  if (typeof e === 'number' || typeof e === 'bigint' || typeof e === 'boolean') return String(e);
  return 'unknown error';
}

/**
 * The machine-readable code carried by a thrown value, when it has one: Node system errors
 * (`ECONNREFUSED`), our own coded errors, gRPC status errors (numeric `code`, returned as a string).
 */
export function errorCode(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object') return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  if (typeof code === 'number' && Number.isFinite(code)) return String(code);
  return undefined;
}
