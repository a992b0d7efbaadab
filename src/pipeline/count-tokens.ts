// POST /v1/messages/count_tokens, answered by semroute itself: the same estimate the router uses
// for its context and affinity budgets (about 4 bytes per token of every message's text, system
// included, plus the tool definitions), so no GPU is asked. It is an estimate, as Anthropic's own
// answer is documented to be; a client that needs the backend tokenizer's exact count asks vLLM.
import { RouterError } from '../protocol/errors.js';
import { parseRequestBody } from '../protocol/parse.js';
import { estimateTokens } from '../signals/context.js';
import type { Reply } from './outcome.js';
import { errorReply } from './replies.js';
import type { RoutingSnapshot } from './snapshot.js';

export function countTokensReply(snap: RoutingSnapshot, raw: Buffer): Reply {
  let ir;
  try {
    ({ ir } = parseRequestBody('anthropic.messages', raw, snap.limits, true));
  } catch (e) {
    if (e instanceof RouterError) return errorReply(e, 'anthropic.messages');
    throw e;
  }
  const tools = Array.isArray(ir.body.tools) ? Math.ceil(Buffer.byteLength(JSON.stringify(ir.body.tools)) / 4) : 0;
  const body = JSON.stringify({ input_tokens: estimateTokens(ir) + tools });
  return { kind: 'reply', status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body), reason: 'count_tokens' };
}
