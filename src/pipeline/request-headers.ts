// The request_headers phase: decide at once (never waiting for the body) whether the request is
// one semroute routes, answers itself, rejects, or lets through.
import { RouterError } from '../protocol/errors.js';
import type { Protocol } from '../protocol/ir.js';
import { ownedHeadersPresent, type RequestHeaders } from './headers.js';
import type { HeadersOutcome } from './outcome.js';
import { errorReply, modelsListReply } from './replies.js';
import type { RoutingSnapshot } from './snapshot.js';

const ROUTED_PATHS: ReadonlyMap<string, Protocol> = new Map([
  ['/v1/chat/completions', 'openai.chat'],
  ['/v1/completions', 'openai.completions'],
  ['/v1/responses', 'openai.responses'],
  ['/v1/messages', 'anthropic.messages'],
]);

/** Anthropic's token counting: answered by semroute from the body (see count-tokens.ts). */
const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/** GET or DELETE of one stored response (/v1/responses/{id}); ids are bounded and URL-safe. */
const STORED_RESPONSE_PATH = /^\/v1\/responses\/([A-Za-z0-9_-]{1,256})$/;

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function isJsonMediaType(contentType: string): boolean {
  const media = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}

/** `stripped`: headers already taken out of `headers` that the upstream request must lose too (untrusted identity). */
export function onRequestHeaders(snap: RoutingSnapshot, headers: RequestHeaders, endOfStream: boolean, stripped: string[] = []): HeadersOutcome {
  const edit = { set: [], remove: [...ownedHeadersPresent(headers), ...stripped] };
  const method = headers.get(':method') ?? '';
  const path = pathOnly(headers.get(':path') ?? '');

  if (path === '/v1/models' && method === 'GET') {
    return modelsListReply(headers.has('anthropic-version') ? snap.anthropicModelsList : snap.modelsList);
  }
  const stored = STORED_RESPONSE_PATH.exec(path);
  if (stored && (method === 'GET' || method === 'DELETE')) return { kind: 'stored_response', method, id: stored[1]!, edit };

  const countTokens = path === COUNT_TOKENS_PATH;
  const protocol = countTokens ? 'anthropic.messages' : ROUTED_PATHS.get(path);
  if (!protocol) return { kind: 'passthrough', edit };
  const fail = (err: RouterError) => errorReply(err, protocol);

  if (method !== 'POST') {
    const reply = fail(new RouterError('method_not_allowed', `${path} accepts POST only.`));
    reply.headers.push(['allow', 'POST']);
    return reply;
  }
  const contentType = headers.get('content-type');
  if (contentType !== undefined && !isJsonMediaType(contentType)) {
    return fail(
      new RouterError('unsupported_content_type', `Expected content-type application/json, got "${contentType}".`),
    );
  }
  const encoding = headers.get('content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return fail(
      new RouterError(
        'unsupported_content_type',
        `Compressed request bodies (content-encoding: ${encoding}) cannot be routed; put Envoy's decompressor filter before ext_proc.`,
      ),
    );
  }
  const length = Number(headers.get('content-length') ?? NaN);
  if (length > snap.limits.maxBodyBytes) {
    return fail(
      new RouterError('body_too_large', `The request body exceeds the limit of ${snap.limits.maxBodyBytes} bytes.`),
    );
  }
  if (endOfStream) return fail(new RouterError('missing_body', 'A JSON request body is required.'));
  return { kind: 'await_body', protocol, edit, ...(countTokens ? { countTokens } : {}) };
}
