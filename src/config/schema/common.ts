// Building blocks shared by the config schema files.
import { z } from 'zod';

/** Names of models, signals, decisions: what rules and headers refer to. */
export const name = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:]*$/, 'letters, digits and . _ - / : only');

export const listenAddress = z.string().min(1).describe('HOST:PORT, [IPv6]:PORT or unix:/path/to.sock');

/** host:port; the port range and host syntax are checked in references.ts with exact paths. */
export const endpoint = z.string().min(1).describe('host:port or [IPv6]:port');

export const probability = z.number().min(0).max(1);

/** Which text of the request a signal reads. */
export const signalInput = z
  .enum(['last_user', 'conversation', 'system'])
  .default('last_user')
  .describe('Text the signal reads: the last user message, the whole conversation, or the system prompt.');

/** A zod object whose every field has a default: `{}` parses to the full default value. */
export function defaulted<T extends z.ZodObject>(schema: T) {
  return schema.prefault({} as z.input<T>);
}
