/**
 * The shapes of the API documents matihctl reads: names over the types generated from the
 * service's OpenAPI documents (api-types/, `npm run generate:api-types`), not imported from the
 * service: the CLI speaks HTTP only. --output json prints whatever the server sent.
 */
import type { ResponseJson as InfraJson } from '../api-types/infra-api.js';
import type { ResponseJson as TenantJson, components as TenantComponents } from '../api-types/tenant-api.js';

type TenantSchemas = TenantComponents['schemas'];

/** RFC 9457 problem details, as every error of the API is sent. */
type ApiProblem = TenantSchemas['Problem'];
export type FieldProblem = NonNullable<ApiProblem['errors']>[number];
/**
 * What an ApiError carries: the API's problem document, or one made up from the status when
 * something else (a proxy) answered, with only status, code and detail.
 */
export type Problem = Pick<ApiProblem, 'status' | 'code' | 'detail'> & Partial<Omit<ApiProblem, 'status' | 'code' | 'detail'>>;

export type Tenant = TenantSchemas['Tenant'];
export type CreatedTenant = TenantJson<'/api/v1/tenants', 'post', 201>;
export type TenantPage = TenantJson<'/api/v1/tenants', 'get'>;

export type ProvisioningStatus = TenantSchemas['ProvisioningStatus'];
export type StepState = ProvisioningStatus['steps'][number];

/** One row of the tenant's history, as GET .../provisioning/history and the WebSocket send it. */
export type Transition = TenantJson<'/api/v1/tenants/{id}/provisioning/history', 'get'>['items'][number];

/** DELETE /api/v1/tenants/:id, with the confirmation code. */
export type DeletionAccepted = TenantJson<'/api/v1/tenants/{id}', 'delete', 202>;
/** The POSTs that start or stop a job: suspend and reactivate name the tenant, retry and cancel the step they start from. */
export type JobAccepted = TenantJson<'/api/v1/tenants/{id}/suspend', 'post', 200 | 202> | TenantJson<'/api/v1/tenants/{id}/provisioning/retry', 'post', 202>;

export type DeletionRequest = TenantJson<'/api/v1/tenants/{id}/deletion-requests', 'post', 201>;
export type TenantUpdate = TenantJson<'/api/v1/tenants/{id}', 'patch', 200 | 202>;

type InfrastructurePath = '/api/v1/infrastructure/tenants/{tenantId}';
/**
 * The infrastructure record as GET answers it; POST .../provision, PUT and DELETE answer it with
 * `jobId`, the job they queued (null: nothing to do).
 */
export type Infrastructure = InfraJson<InfrastructurePath, 'get'> & Partial<Pick<InfraJson<InfrastructurePath, 'put', 200 | 202>, 'jobId'>>;
export type InfraConfiguration = Infrastructure['configuration'];
export type InfraTransition = InfraJson<'/api/v1/infrastructure/tenants/{tenantId}/transitions', 'get'>['items'][number];

export type AuditEntry = TenantJson<'/api/v1/tenants/{id}/audit', 'get'>['items'][number];

/** Pages of the audit log and of infrastructure transitions: a sequence number cursor. */
export interface SeqPage<T> {
  items: T[];
  nextCursor: TenantJson<'/api/v1/tenants/{id}/audit', 'get'>['nextCursor'];
}

export type WhoAmI = TenantJson<'/api/v1/auth/whoami', 'get'>;

/** MATIH_SECRET_KEY rotation: GET counts sealed values by the key that opens them, POST re-seals them with the current key. */
export type SecretKeyStatus = TenantJson<'/api/v1/admin/secret-key/rotation', 'get'>;
export type SecretKeyRotation = TenantJson<'/api/v1/admin/secret-key/rotation', 'post'>;

/** An API key as listed (no secret); created, with `key`, the secret shown once. */
export type ApiKey = TenantJson<'/api/v1/tenants/{id}/api-keys', 'get'>['items'][number];
export type CreatedApiKey = TenantJson<'/api/v1/tenants/{id}/api-keys', 'post', 201>;
export type ApiKeyScope = ApiKey['scopes'][number];

/** The scopes a key may be given, in the API's order (checked before anything is sent). */
export const API_KEY_SCOPES = ['read', 'create', 'update', 'suspend', 'delete', 'infrastructure', 'audit'] as const;

/** Fails to compile when the list above and the document's enumeration differ (a scope added or gone). */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _ScopesMatchTheDocument = Holds<SameMembers<(typeof API_KEY_SCOPES)[number], ApiKeyScope>>;
