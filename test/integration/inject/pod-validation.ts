// A patched pod must be one the API server accepts: checked strictly (unknown fields fail) against
// the Kubernetes v1.27 schema with the native-sidecar field added (test/unit/deploy/schemas.ts),
// and against kubernetes-models 4.5.1's compiled validators (a Kubernetes release that has
// Container.restartPolicy natively).
import { Pod } from 'kubernetes-models-v132/v1/Pod';
import { describeErrors, loadValidator } from '../../unit/deploy/schemas.js';

const strict = loadValidator();

/** Every problem found; [] when the pod is valid. */
export function podProblems(pod: any): string[] {
  const problems = describeErrors(strict.errors(pod)).map((e) => `strict: ${e}`);
  try {
    new Pod(pod).validate();
  } catch (e) {
    problems.push(`kubernetes-models 4.5.1: ${(e as Error).message}`);
  }
  // What the schemas cannot say: restartPolicy belongs on init containers only.
  for (const c of pod.spec?.containers ?? []) if (c.restartPolicy !== undefined) problems.push(`containers[${c.name}].restartPolicy is only allowed on init containers`);
  return problems;
}
