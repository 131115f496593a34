import { Type } from '@sinclair/typebox';
import { CLOUD_PROVIDERS } from '../../domain/cloud.js';
import { TENANT_STATUSES } from '../../domain/tenant-status.js';
import { TIERS } from '../../domain/tiers.js';
import { DateTime, NullableDateTime } from './common.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const TenantSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    slug: Type.String(),
    tier: Type.Union(TIERS.map((t) => Type.Literal(t))),
    status: Type.Union(TENANT_STATUSES.map((s) => Type.Literal(s))),
    region: Type.String(),
    cloudProvider: Type.Union(CLOUD_PROVIDERS.map((p) => Type.Literal(p))),
    adminEmail: Type.String(),
    provisioningStartedAt: NullableDateTime,
    deploymentType: Nullable(Type.String()),
    kubernetesNamespace: Nullable(Type.String()),
    azureAksClusterName: Nullable(Type.String()),
    provisioningCompletedAt: NullableDateTime,
    provisioningError: Nullable(Type.String()),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'Tenant', description: 'The tenant record of spec/003' },
);

// Shape only (types, lengths, no unknown fields); the domain checks meaning (slug rules,
// reserved words, region of provider) and reports every problem at once.
export const CreateTenantBody = Type.Object(
  {
    name: Type.String({ maxLength: 1000, examples: ['Acme Corporation'] }),
    slug: Type.String({ maxLength: 1000, examples: ['acme'] }),
    tier: Type.String({ maxLength: 100, description: 'FREE, PROFESSIONAL or ENTERPRISE (any case)', examples: ['PROFESSIONAL'] }),
    adminEmail: Type.String({ maxLength: 1000, examples: ['admin@acme.com'] }),
    cloudProvider: Type.Optional(Type.String({ maxLength: 100, description: 'AZURE (default), AWS or GCP' })),
    region: Type.Optional(Type.String({ maxLength: 1000, description: "A region of the provider; default: the provider's first", examples: ['eastus'] })),
  },
  { additionalProperties: false },
);

export const CreatedTenantSchema = Type.Intersect([
  Type.Ref('Tenant'),
  Type.Object({
    initialApiKey: Type.Object({
      id: Type.String({ format: 'uuid' }),
      key: Type.String({ description: 'Shown once, never again: store it now' }),
      role: Type.String(),
    }),
    provisioningJobId: Type.String({ format: 'uuid' }),
  }),
]);

export const ListTenantsQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ description: 'Filter by status (any case)' })),
    tier: Type.Optional(Type.String({ description: 'Filter by tier (any case)' })),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Text in the name or slug' })),
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  },
  { additionalProperties: false },
);

export const TenantPageSchema = Type.Object({
  items: Type.Array(Type.Ref('Tenant')),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for the next page; null on the last' }),
});

export const UserSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  isTenantAdmin: Type.Boolean(),
  roles: Type.Array(Type.String()),
  createdAt: DateTime,
});

export const RoleSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  tenantId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
  isSystem: Type.Boolean(),
  createdAt: DateTime,
});
