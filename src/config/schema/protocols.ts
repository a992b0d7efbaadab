// responses: what semroute keeps for the OpenAI Responses API when it translates it.
import { z } from 'zod';

export const responsesConfigSchema = z
  .strictObject({
    store: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('Keep translated responses (store: true, the API default) in the state backend, for previous_response_id and GET/DELETE /v1/responses/{id}.'),
        ttl_seconds: z.number().int().positive().default(86_400).describe('How long a stored response (and its input) lives.'),
        max_bytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024)
          .describe('A response whose stored form (input + output) is larger is not stored; a later previous_response_id to it gets 404.'),
      })
      .prefault({})
      .describe('Stored responses of translated backends (native backends store their own).'),
  })
  .prefault({});

export type ResponsesConfig = z.infer<typeof responsesConfigSchema>;
