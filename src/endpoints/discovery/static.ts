// static: the model's `endpoints:` list, as configured.
import type { EndpointSource } from './types.js';

export function staticSource(endpoints: readonly string[]): EndpointSource {
  return { kind: 'static', start: (onChange) => onChange([...endpoints]), stop: () => undefined };
}
