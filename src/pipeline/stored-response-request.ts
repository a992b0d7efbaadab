// GET and DELETE /v1/responses/{id}. A response semroute stored (a translated backend's) is
// answered from the state backend; one a native backend stored is routed to the model (and
// endpoint) the affinity pin under its id names, which holds it; anything else is 404 in OpenAI's
// shape. With the state backend down the answer is 503: the response may exist, semroute cannot tell.
import { RouterError } from '../protocol/errors.js';
import { responseSessionIdentity, tenantOf } from '../state/identity.js';
import { ENDPOINT_HEADER, MODEL_HEADER, type RequestHeaders } from './headers.js';
import type { HeaderEdit, HeadersOutcome, Reply } from './outcome.js';
import { errorReply } from './replies.js';
import type { RoutingSnapshot } from './snapshot.js';
import { attempt, type StateContext } from './state-context.js';
import { deleteResponse, loadResponse } from './stored-responses.js';

export type StoredResponseAnswer = Reply | { kind: 'route'; model: string; edit: HeaderEdit };

const json = (status: number, body: unknown): Reply => ({
  kind: 'reply',
  status,
  headers: [['content-type', 'application/json']],
  body: Buffer.from(JSON.stringify(body)),
  reason: 'stored_response',
});

export async function storedResponseAnswer(
  snap: RoutingSnapshot,
  state: StateContext | undefined,
  req: Extract<HeadersOutcome, { kind: 'stored_response' }>,
  headers: RequestHeaders,
): Promise<StoredResponseAnswer> {
  const notFound = () => errorReply(new RouterError('response_not_found', `Response with id '${req.id}' not found.`));
  if (!state) return notFound();
  const tenant = tenantOf(headers, snap.config.security.identity);
  const found = await loadResponse(state, tenant, req.id);
  if (found.kind === 'unavailable') return errorReply(new RouterError('state_unavailable', 'Stored responses are unavailable right now; retry shortly.'));
  if (found.kind === 'found') {
    if (req.method === 'GET') return json(200, found.stored.response);
    const deleted = await deleteResponse(state, tenant, req.id);
    if (deleted === undefined) return errorReply(new RouterError('state_unavailable', 'Stored responses are unavailable right now; retry shortly.'));
    return json(200, { id: req.id, object: 'response', deleted: true });
  }
  // Not one of semroute's: a native backend's, if a pin says which model answered it.
  const identity = responseSessionIdentity(tenant, req.id);
  const pin = await attempt(state, 'get_pin', () => state.store.getPin(identity.key, snap.config.affinity.ttl_seconds));
  const model = pin.ok && pin.value ? snap.router.modelNamed(pin.value.model) : undefined;
  if (!model) return notFound();
  const endpoint = snap.config.routing.mode === 'endpoint' && pin.ok && pin.value?.endpoint && (snap.live ? snap.live.knows(model.name, pin.value.endpoint) : model.endpoints.includes(pin.value.endpoint)) ? pin.value.endpoint : undefined;
  return {
    kind: 'route',
    model: model.name,
    edit: { set: [...req.edit.set, [MODEL_HEADER, model.name], ...(endpoint ? [[ENDPOINT_HEADER, endpoint] as const] : [])], remove: req.edit.remove },
  };
}
