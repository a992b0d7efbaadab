// The OpenAI Responses API served by a chat completions backend: request, JSON answer, SSE stream
// and errors (see responses-request.ts, responses-response.ts, responses-stream.ts).
import { responsesRequestToChat } from './responses-request.js';
import { chatToResponse, responsesErrorBody } from './responses-response.js';
import { createResponsesStream } from './responses-stream.js';
import type { ProtocolTranslator } from './types.js';

export const responsesTranslator: ProtocolTranslator = {
  request: (body) => responsesRequestToChat(body),
  responseJson: (chat, ctx) => chatToResponse(chat, ctx),
  responseStream: (ctx) => createResponsesStream(ctx),
  errorBody: (status, upstreamBody) => responsesErrorBody(status, upstreamBody),
};
