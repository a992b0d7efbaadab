// The parts of a Pod the injector reads, as a zod schema: the API server sends the whole object,
// every other field passes through untouched (loose objects). A pod that does not fit (containers
// not a list ...) is not patched; the API server's own validation then has the last word.
import { z } from 'zod';

const Mount = z.looseObject({ name: z.string(), mountPath: z.string() });
export const ContainerSchema = z.looseObject({ name: z.string(), volumeMounts: z.array(Mount).optional() });
const Volume = z.looseObject({ name: z.string() });
const StringMap = z.record(z.string(), z.string());

export const PodSchema = z.looseObject({
  metadata: z
    .looseObject({
      name: z.string().optional(),
      generateName: z.string().optional(),
      namespace: z.string().optional(),
      labels: StringMap.optional(),
      annotations: StringMap.optional(),
    })
    .optional(),
  spec: z
    .looseObject({
      containers: z.array(ContainerSchema).optional(),
      initContainers: z.array(ContainerSchema).optional(),
      volumes: z.array(Volume).optional(),
      hostNetwork: z.boolean().optional(),
    })
    .optional(),
});

export type Pod = z.infer<typeof PodSchema>;
export type Container = z.infer<typeof ContainerSchema>;
export type Volume = z.infer<typeof Volume>;

/** The pod's name for logs: its name, else its generateName (pods of a workload have only that). */
export function podName(p: Pod): string {
  return p.metadata?.name ?? p.metadata?.generateName ?? '';
}
