// Immediate replies: errors in the client's protocol (Anthropic-shaped for /v1/messages, OpenAI-
// shaped for the rest) and the models list (in Anthropic's shape when the client is Anthropic's).
import type { Config } from '../config/schema.js';
import { anthropicErrorBody, anthropicErrorJson, openAIErrorBody, type RouterError } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import type { BlockConfig } from '../routing/router.js';
import { DECISION_HEADER } from './headers.js';
import type { Reply } from './outcome.js';

const JSON_HEADERS = [['content-type', 'application/json']] as const;

/** A decision's block plugin: its status and message in the OpenAI error shape. */
export function blockReply(decision: string, block: BlockConfig, protocol?: Protocol): Reply {
  const type = block.status === 429 ? 'rate_limit_error' : block.status >= 500 ? 'service_unavailable' : block.status === 403 ? 'permission_error' : 'invalid_request_error';
  const body =
    protocol === 'anthropic.messages'
      ? anthropicErrorJson(block.status, block.message)
      : JSON.stringify({ error: { message: block.message, type, param: null, code: block.code } });
  return {
    kind: 'reply',
    status: block.status,
    headers: [...JSON_HEADERS, [DECISION_HEADER, decision]],
    body: Buffer.from(body),
    reason: 'blocked',
    decision,
  };
}

/** `protocol`: the client's, when known (Anthropic clients get Anthropic's error shape). */
export function errorReply(err: RouterError, protocol?: Protocol): Reply {
  const body = protocol === 'anthropic.messages' ? anthropicErrorBody(err) : openAIErrorBody(err);
  return { kind: 'reply', status: err.status, headers: [...JSON_HEADERS], body: Buffer.from(body), reason: err.code };
}

/** GET /v1/models in the OpenAI list shape: the auto names first, then every configured model. */
export function modelsListBody(cfg: Config, created: number): Buffer {
  const entry = (id: string) => ({ id, object: 'model', created, owned_by: 'semroute' });
  const data = [...cfg.routing.auto_model_names.map(entry), ...cfg.models.map((m) => entry(m.name))];
  return Buffer.from(JSON.stringify({ object: 'list', data }));
}

/** GET /v1/models in Anthropic's list shape (a request carrying anthropic-version). */
export function anthropicModelsListBody(cfg: Config, createdSeconds: number): Buffer {
  const createdAt = new Date(createdSeconds * 1000).toISOString();
  const entry = (id: string) => ({ type: 'model', id, display_name: id, created_at: createdAt });
  const data = [...cfg.routing.auto_model_names.map(entry), ...cfg.models.map((m) => entry(m.name))];
  return Buffer.from(JSON.stringify({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }));
}

export function modelsListReply(body: Buffer): Reply {
  return { kind: 'reply', status: 200, headers: [...JSON_HEADERS], body, reason: 'models_list' };
}
