// Translation between a client protocol and the chat completions API a backend serves, when the
// chosen model does not serve the client's protocol natively. One translator per client protocol
// (anthropic-*.ts, responses-*.ts), each in three parts: the request (client body -> chat body),
// the JSON answer (chat completion -> client answer) and the SSE stream (chat chunks -> client
// events). Translators are pure: ids and clocks come from the context, so fixtures are exact.

/** The chat completion answer a translator reads (the fields vLLM returns; others are ignored). */
export interface ChatCompletion {
  id?: string;
  model?: string;
  created?: number;
  choices: Array<{
    index?: number;
    finish_reason?: string | null;
    message: {
      role?: string;
      content?: string | null;
      /** vLLM's reasoning parsers put thinking here (`reasoning_content` in older versions). */
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: Array<{ id: string; type?: 'function'; function: { name: string; arguments: string } }>;
    };
  }>;
  usage?: ChatUsage | null;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

export interface TranslationContext {
  /** The model name the client sees in answers (what it asked for, or the model semroute chose). */
  model: string;
  /** A fresh id with this prefix ("msg_", "toolu_", "resp_", "msg_", "fc_", "rs_"). */
  newId(prefix: string): string;
  /** Seconds since the epoch, for `created_at`. */
  nowSeconds(): number;
  /** The client's request body (after plugins), for answers that echo request fields (Responses). */
  request: Record<string, unknown>;
}

/** Translates one chat completions SSE stream (bytes cut anywhere) into the client's SSE events. */
export interface StreamTranslator {
  /** Feed upstream bytes; returns the client bytes to send now (possibly empty). */
  push(chunk: Buffer): Buffer;
  /** The upstream body ended; returns the closing events (always a well-formed end of stream:
   * an error event when the upstream stream broke off or sent an error). */
  end(): Buffer;
  /** Token usage seen on the stream, once known. */
  readonly usage: ChatUsage | undefined;
  /** The whole answer in the client's shape as a JSON answer would be (Responses: the response
   * object semroute stores for previous_response_id), once the stream completed; else undefined. */
  readonly completed: unknown;
}

/** The client protocol -> chat completions, and back. */
export interface ProtocolTranslator {
  /** The chat completions body for the client's (already validated) body; `model` is copied as is. */
  request(body: Record<string, unknown>): Record<string, unknown>;
  /** A chat completion JSON answer -> the client's JSON answer. */
  responseJson(chat: ChatCompletion, ctx: TranslationContext): unknown;
  /** A streaming answer (the chat request had stream: true and stream_options.include_usage). */
  responseStream(ctx: TranslationContext): StreamTranslator;
  /** An upstream error answer (status >= 400, OpenAI-shaped or not) -> the client's error body. */
  errorBody(status: number, upstreamBody: Buffer): Buffer;
}
