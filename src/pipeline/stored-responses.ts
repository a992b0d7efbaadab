// Stateful Responses on backends without /v1/responses: semroute keeps each translated response
// (store: true, the API's default) with the input that produced it, in the state backend (Redis
// in production, so every replica sees it), under the tenant and the response id. A later turn's
// previous_response_id expands into that conversation before routing, so signals, affinity and
// the cache see the whole of it; GET and DELETE /v1/responses/{id} are answered from it. Native
// backends store their own responses (vLLM per instance): their chains stay on the model and
// endpoint that produced them through the affinity pin written under the response id.
import { RouterError } from '../protocol/errors.js';
import { createHash } from 'node:crypto';
import { attempt, type StateContext } from './state-context.js';

export interface StoredResponse {
  /** The Response object as the client received it. */
  response: Record<string, unknown>;
  /** The whole input that produced it (earlier turns expanded), as Responses input items. */
  input: unknown[];
}

/** The key of a tenant's stored response (hashed: ids and tenants are client-chosen). */
function documentKey(tenant: string, id: string): string {
  return `response:${createHash('sha256').update(`${tenant}\0${id}`).digest('hex')}`;
}

export type StoredLookup = { kind: 'found'; stored: StoredResponse } | { kind: 'absent' } | { kind: 'unavailable' };

export async function loadResponse(ctx: StateContext, tenant: string, id: string): Promise<StoredLookup> {
  const r = await attempt(ctx, 'get_response', () => ctx.store.getDocument(documentKey(tenant, id)));
  if (!r.ok) return { kind: 'unavailable' };
  if (r.value === undefined) return { kind: 'absent' };
  try {
    return { kind: 'found', stored: JSON.parse(r.value) as StoredResponse };
  } catch {
    return { kind: 'absent' };
  }
}

/** Stores a completed response; false when it is over max_bytes (a later previous_response_id to it gets 404). */
export async function saveResponse(ctx: StateContext, tenant: string, stored: StoredResponse, ttlSeconds: number, maxBytes: number): Promise<boolean> {
  const id = stored.response.id;
  if (typeof id !== 'string') return false;
  const value = JSON.stringify(stored);
  if (Buffer.byteLength(value) > maxBytes) return false;
  const r = await attempt(ctx, 'set_response', () => ctx.store.setDocument(documentKey(tenant, id), value, ttlSeconds));
  return r.ok;
}

export async function deleteResponse(ctx: StateContext, tenant: string, id: string): Promise<boolean | undefined> {
  const r = await attempt(ctx, 'delete_response', () => ctx.store.deleteDocument(documentKey(tenant, id)));
  return r.ok ? r.value : undefined;
}

/** The request's input as a list of items (a string input is one user message). */
export function inputItems(input: unknown): unknown[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input : [];
}

/** The conversation a previous response continues: its input, its output items, then the new input. */
export function expandedInput(stored: StoredResponse, input: unknown): unknown[] {
  const output = Array.isArray(stored.response.output) ? (stored.response.output as unknown[]) : [];
  return [...stored.input, ...output, ...inputItems(input)];
}

export function responseNotFound(id: string): RouterError {
  return new RouterError('response_not_found', `Response with id '${id}' not found.`, 'previous_response_id');
}
