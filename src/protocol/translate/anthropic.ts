// The Anthropic Messages translator: a client speaking /v1/messages to a model served only through
// chat completions. See anthropic-request.ts, anthropic-response.ts and anthropic-stream.ts.
import { anthropicToChatRequest } from './anthropic-request.js';
import { anthropicErrorFromUpstream, anthropicMessageFromChat } from './anthropic-response.js';
import { anthropicStream } from './anthropic-stream.js';
import type { ProtocolTranslator } from './types.js';

export const anthropicTranslator: ProtocolTranslator = {
  request: (body) => anthropicToChatRequest(body),
  responseJson: (chat, ctx) => anthropicMessageFromChat(chat, ctx),
  responseStream: (ctx) => anthropicStream(ctx),
  errorBody: (status, upstreamBody) => anthropicErrorFromUpstream(status, upstreamBody),
};
