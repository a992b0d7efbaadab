// Admin route POST /v1/explain (admin role): the routing trace of one request body under the
// current snapshot, as `semroute explain` prints it with --json.
//
//   body              the request body as a client would send it (JSON)
//   ?protocol=        chat, completions, responses or messages; without it the protocol is read
//                     off the body's shape as `semroute explain` does (inferProtocol), and the
//                     trace's request.inferred says why
//   x-explain-NAME    sent to routing as request header NAME (header signals, tenant, debug);
//                     the admin request's other headers (its bearer token included) are not.
//
// 200 with the ExplainTrace (a blocked request included: the trace carries the refusal), 400 with
// an OpenAI-shaped error when the body cannot be parsed, 413 above security.max_body_bytes.
import { JSON_TYPE as JSON_CONTENT_TYPE, type AdminRequest, type AdminResponse, type AdminRoute } from '../admin/server.js';
import { openAIErrorBody, RouterError } from '../protocol/errors.js';
import { parseRequestBody } from '../protocol/parse.js';
import { explainRequest } from '../pipeline/explain.js';
import type { RequestHeaders } from '../pipeline/headers.js';
import type { RoutingSnapshot } from '../pipeline/snapshot.js';
import type { StateContext } from '../pipeline/state-context.js';
import { PROTOCOL_NAMES, protocolFor, withInferred } from './explain.js';

const JSON_TYPE = { 'content-type': JSON_CONTENT_TYPE };
export const EXPLAIN_HEADER_PREFIX = 'x-explain-';

const errorResponse = (e: RouterError): AdminResponse => ({ status: e.status, headers: JSON_TYPE, body: openAIErrorBody(e) });

/** x-explain-NAME: VALUE → NAME: VALUE, repeated values joined as routing joins them. */
export function explainedHeaders(headers: AdminRequest['headers']): RequestHeaders {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(EXPLAIN_HEADER_PREFIX) || lower.length === EXPLAIN_HEADER_PREFIX.length || value === undefined) continue;
    out.set(lower.slice(EXPLAIN_HEADER_PREFIX.length), Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/** `state`: the router's shared state, so that the trace says what a cache lookup finds now. */
export function explainRoutes(snapshot: () => RoutingSnapshot, state?: StateContext): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/v1/explain',
      handle: async (req) => {
        const name = req.query.get('protocol') ?? undefined;
        // One snapshot for the whole request, even if a reload swaps it meanwhile.
        const snap = snapshot();
        const chosen = protocolFor(name, req.body, snap.limits.maxBodyBytes);
        if (!chosen) return errorResponse(new RouterError('invalid_request', `unknown protocol "${name}" (${PROTOCOL_NAMES})`, 'protocol'));
        const { protocol, inferred } = chosen;
        try {
          // Parsed once here only to answer an unusable body with its own status, not a 200 trace.
          parseRequestBody(protocol, req.body, snap.limits);
        } catch (e) {
          if (e instanceof RouterError) return errorResponse(e);
          throw e;
        }
        const trace = withInferred(await explainRequest(snap, protocol, req.body, explainedHeaders(req.headers), state), inferred);
        return { status: 200, headers: JSON_TYPE, body: JSON.stringify(trace) };
      },
    },
  ];
}
