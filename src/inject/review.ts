// admission.k8s.io/v1 AdmissionReview in, AdmissionReview out. Only what the injector reads is
// checked (the API server sends much more; unknown fields pass through untouched).
import { z } from 'zod';
import type { Logger } from '../telemetry/logger.js';
import type { InjectorMetrics } from './metrics.js';
import { decide, type InjectOptions } from './mutate.js';
import { PodSchema, podName } from './pod.js';

type Json = Record<string, unknown>;

const AdmissionReview = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  request: z.looseObject({
    uid: z.string().min(1),
    kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }),
    operation: z.string(),
    namespace: z.string().optional(),
    object: z.looseObject({}).nullish(),
  }),
});

/**
 * What to do with a pod whose semroute annotations are invalid:
 * - admit: allowed without the sidecar, with a warning (kubectl prints it) and an audit annotation;
 *   matches failurePolicy: Ignore (an injector outage never blocks pods either);
 * - deny: refused, status 422 with the problems; matches failurePolicy: Fail.
 */
export type OnInvalid = 'admit' | 'deny';

export interface ReviewContext extends InjectOptions {
  onInvalid: OnInvalid;
  metrics: InjectorMetrics;
  logger: Logger;
}

export interface ReviewAnswer {
  /** HTTP status: 200 for every AdmissionReview answered (allowed or not), 400 for a body that is not one. */
  status: number;
  body: Json;
}

const answer = (uid: string, response: Json): ReviewAnswer => ({
  status: 200,
  body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...response } },
});

export function review(body: unknown, ctx: ReviewContext): ReviewAnswer {
  const parsed = AdmissionReview.safeParse(body);
  if (!parsed.success) {
    ctx.metrics.recordReview('malformed');
    const issue = parsed.error.issues[0];
    return { status: 400, body: { error: `not an admission.k8s.io/v1 AdmissionReview: ${issue ? `${issue.path.join('.') || '/'}: ${issue.message}` : 'invalid'}` } };
  }
  const req = parsed.data.request;
  const isPod = req.kind.group === '' && req.kind.kind === 'Pod';
  if (!isPod || req.operation !== 'CREATE' || !req.object) {
    ctx.metrics.recordReview('ignored');
    return answer(req.uid, { allowed: true });
  }
  const where = { namespace: req.namespace ?? '', pod: '', uid: req.uid };
  const parsedPod = PodSchema.safeParse(req.object);
  if (!parsedPod.success) {
    // Not patched; the API server's own validation decides about the pod.
    ctx.metrics.recordReview('ignored');
    ctx.logger.warn('pod not understood, admitted unchanged', { ...where, error: parsedPod.error.issues[0]?.message });
    return answer(req.uid, { allowed: true });
  }
  const pod = parsedPod.data;
  where.pod = podName(pod);
  const d = decide(pod, ctx);
  switch (d.kind) {
    case 'inject':
      ctx.metrics.recordReview('injected');
      ctx.logger.debug('sidecar injected', { ...where, mode: d.settings.mode });
      return answer(req.uid, { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(d.patch)).toString('base64') });
    case 'skip':
      ctx.metrics.recordReview(d.reason);
      return answer(req.uid, { allowed: true });
    case 'invalid': {
      const message = `semroute sidecar not injected: ${d.problems.join('; ')}`;
      if (ctx.onInvalid === 'deny') {
        ctx.metrics.recordReview('invalid_denied');
        ctx.logger.warn('pod refused: invalid semroute annotations', { ...where, problems: d.problems });
        return answer(req.uid, { allowed: false, status: { code: 422, reason: 'Invalid', message } });
      }
      ctx.metrics.recordReview('invalid_admitted');
      // The event-worthy line: a pod asked for the sidecar and runs without it.
      ctx.logger.warn('pod admitted without the semroute sidecar: invalid semroute annotations', { ...where, problems: d.problems });
      return answer(req.uid, { allowed: true, warnings: [message.slice(0, 1000)], auditAnnotations: { 'semroute.io/not-injected': message.slice(0, 1000) } });
    }
  }
}
