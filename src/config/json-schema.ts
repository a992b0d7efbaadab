// JSON Schema of the config, generated from the zod schema: for editors (yaml-language-server),
// CI linters and Kubernetes tooling. `semroute schema` prints it.
import { z } from 'zod';
import { configSchema } from './schema.js';

export const SCHEMA_ID = 'https://semroute.dev/schema/v1/config.json';

export function configJsonSchema(): Record<string, unknown> {
  // io "input": what a user writes (fields with defaults are optional).
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });
  return { ...schema, $id: SCHEMA_ID, title: 'semroute configuration (version v1)' };
}
