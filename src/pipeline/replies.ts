// Immediate replies: OpenAI-shaped errors and the models list.
import type { Config } from '../config/schema.js';
import { openAIErrorBody, type RouterError } from '../protocol/errors.js';
import type { BlockConfig } from '../routing/router.js';
import { DECISION_HEADER } from './headers.js';
import type { Reply } from './outcome.js';

const JSON_HEADERS = [['content-type', 'application/json']] as const;

/** A decision's block plugin: its status and message in the OpenAI error shape. */
export function blockReply(decision: string, block: BlockConfig): Reply {
  const type = block.status === 429 ? 'rate_limit_error' : block.status >= 500 ? 'service_unavailable' : block.status === 403 ? 'permission_error' : 'invalid_request_error';
  const body = JSON.stringify({ error: { message: block.message, type, param: null, code: block.code } });
  return {
    kind: 'reply',
    status: block.status,
    headers: [...JSON_HEADERS, [DECISION_HEADER, decision]],
    body: Buffer.from(body),
    reason: 'blocked',
    decision,
  };
}

export function errorReply(err: RouterError): Reply {
  return { kind: 'reply', status: err.status, headers: [...JSON_HEADERS], body: Buffer.from(openAIErrorBody(err)), reason: err.code };
}

/** GET /v1/models in the OpenAI list shape: the auto names first, then every configured model. */
export function modelsListBody(cfg: Config, created: number): Buffer {
  const entry = (id: string) => ({ id, object: 'model', created, owned_by: 'semroute' });
  const data = [...cfg.routing.auto_model_names.map(entry), ...cfg.models.map((m) => entry(m.name))];
  return Buffer.from(JSON.stringify({ object: 'list', data }));
}

export function modelsListReply(body: Buffer): Reply {
  return { kind: 'reply', status: 200, headers: [...JSON_HEADERS], body, reason: 'models_list' };
}
