import { Type } from '@sinclair/typebox';

/** GET /api/v1/sim/objects: empty or absent means "every namespace" and "every kind". */
export const SimObjectsQuery = Type.Object(
  {
    namespace: Type.Optional(Type.String({ maxLength: 253, description: 'Only objects in this namespace' })),
    kind: Type.Optional(Type.String({ maxLength: 63, description: 'Only objects of this kind, e.g. Deployment', examples: ['Deployment'] })),
  },
  { additionalProperties: false },
);

/** DELETE /api/v1/sim/objects: one object, by the four parts of its name. */
export const SimObjectRefQuery = Type.Object(
  {
    apiVersion: Type.String({ minLength: 1, maxLength: 253, examples: ['apps/v1'] }),
    kind: Type.String({ minLength: 1, maxLength: 63, examples: ['Deployment'] }),
    name: Type.String({ minLength: 1, maxLength: 253 }),
    namespace: Type.Optional(Type.String({ maxLength: 253, description: 'Absent or empty for cluster-scoped objects' })),
  },
  { additionalProperties: false },
);

/** A Kubernetes object as the simulated cluster holds it; Secret values are redacted. */
export const SimObjectSchema = Type.Object(
  {
    apiVersion: Type.String(),
    kind: Type.String(),
    metadata: Type.Object({ name: Type.String(), namespace: Type.Optional(Type.String()) }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);

export const SimObjectListSchema = Type.Object({ items: Type.Array(SimObjectSchema) });
