// One error type for everything a client may see, with a closed set of codes and one table from
// code to HTTP status and OpenAI error type. Anything else thrown is internal and never exposed.

export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'unsupported_content_type'
  | 'missing_body'
  | 'body_too_large'
  | 'json_too_deep'
  | 'model_not_found'
  | 'response_not_found'
  | 'state_unavailable'
  | 'method_not_allowed'
  | 'blocked'
  | 'overloaded'
  | 'no_backend'
  | 'internal';

interface ErrorKind {
  status: number;
  type: string;
  /** false: the message is replaced by a generic one before it reaches a client. */
  exposable: boolean;
}

export const ERROR_KINDS: Readonly<Record<ErrorCode, ErrorKind>> = {
  invalid_json: { status: 400, type: 'invalid_request_error', exposable: true },
  invalid_request: { status: 400, type: 'invalid_request_error', exposable: true },
  unsupported_content_type: { status: 400, type: 'invalid_request_error', exposable: true },
  missing_body: { status: 400, type: 'invalid_request_error', exposable: true },
  body_too_large: { status: 413, type: 'invalid_request_error', exposable: true },
  json_too_deep: { status: 400, type: 'invalid_request_error', exposable: true },
  model_not_found: { status: 404, type: 'invalid_request_error', exposable: true },
  response_not_found: { status: 404, type: 'invalid_request_error', exposable: true },
  state_unavailable: { status: 503, type: 'service_unavailable', exposable: true },
  method_not_allowed: { status: 405, type: 'invalid_request_error', exposable: true },
  blocked: { status: 403, type: 'permission_error', exposable: true },
  overloaded: { status: 429, type: 'rate_limit_error', exposable: true },
  no_backend: { status: 503, type: 'service_unavailable', exposable: true },
  internal: { status: 500, type: 'internal_error', exposable: false },
};

export class RouterError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'RouterError';
    this.status = ERROR_KINDS[code].status;
  }
}

/** Turns any thrown value into a RouterError; unknown failures become a non-exposable internal error. */
export function toRouterError(e: unknown): RouterError {
  return e instanceof RouterError ? e : new RouterError('internal', 'internal error');
}

/** The OpenAI error body: {"error":{"message","type","param","code"}}. */
export function openAIErrorBody(err: RouterError): string {
  const kind = ERROR_KINDS[err.code];
  const message = kind.exposable ? err.message : 'The router failed to process the request.';
  return JSON.stringify({ error: { message, type: kind.type, param: err.param, code: err.code } });
}

/** Anthropic's error type for an HTTP status (https://docs.anthropic.com/en/api/errors). */
export function anthropicErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** The Anthropic error body: {"type":"error","error":{"type","message"}}. */
export function anthropicErrorJson(status: number, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } });
}

/** A RouterError in Anthropic's shape (internal messages are never exposed). */
export function anthropicErrorBody(err: RouterError): string {
  const kind = ERROR_KINDS[err.code];
  return anthropicErrorJson(err.status, kind.exposable ? err.message : 'The router failed to process the request.');
}
