/**
 * The shapes of the API's answers the dashboard reads: names over the types generated from the
 * service's OpenAPI documents (api-types/, `npm run generate:api-types`), never written by hand.
 */
import type { ResponseJson as InfraJson, components as InfraComponents } from '../../api-types/infra-api.js';
import type { ResponseJson as TenantJson, components as TenantComponents } from '../../api-types/tenant-api.js';

type TenantSchemas = TenantComponents['schemas'];

export type Tenant = TenantSchemas['Tenant'];
export type TenantPage = TenantJson<'/api/v1/tenants', 'get'>;
export type CreatedTenant = TenantJson<'/api/v1/tenants', 'post', 201>;
export type DeletionRequest = TenantJson<'/api/v1/tenants/{id}/deletion-requests', 'post', 201>;

export type ProvisioningStatus = TenantSchemas['ProvisioningStatus'];
export type StepState = ProvisioningStatus['steps'][number];

export type AuditPage = TenantJson<'/api/v1/tenants/{id}/audit', 'get'>;
/** One row of a tenant's history, as GET .../audit sends it (`time`). */
export type AuditEntry = AuditPage['items'][number];
/** The same row as GET .../provisioning/history and the WebSocket send it (`createdAt`, no `time`). */
export type HistoryEntry = TenantJson<'/api/v1/tenants/{id}/provisioning/history', 'get'>['items'][number];

export type Infrastructure = InfraJson<'/api/v1/infrastructure/tenants/{tenantId}', 'get'>;
export type TransitionPage = InfraJson<'/api/v1/infrastructure/tenants/{tenantId}/transitions', 'get'>;
export type Transition = TransitionPage['items'][number];

export type SweepSummary = InfraComponents['schemas']['ReconcileSweep'];
export type ReconcilerStatus = InfraJson<'/api/v1/infrastructure/reconciler', 'get'>;
export type SystemStatus = TenantJson<'/api/v1/system/status', 'get'>;
/** GET /ready: the same document with 200 and, when something is down, 503. */
export type Readiness = TenantJson<'/ready', 'get', 200 | 503>;

export type AccessToken = TenantJson<'/api/v1/auth/token', 'post'>;
export type WhoAmI = TenantJson<'/api/v1/auth/whoami', 'get'>;

/** An API key as listed (never its secret); created, with `key`, the secret shown once. */
export type ApiKey = TenantJson<'/api/v1/tenants/{id}/api-keys', 'get'>['items'][number];
export type CreatedApiKey = TenantJson<'/api/v1/tenants/{id}/api-keys', 'post', 201>;
export type ApiKeyScope = ApiKey['scopes'][number];

/** RFC 9457 problem details, as every error of the API is sent. */
type ApiProblem = TenantSchemas['Problem'];
export type FieldProblem = NonNullable<ApiProblem['errors']>[number];
/**
 * An error body as the dashboard takes it: any JSON with a numeric status (a proxy's error page
 * may have nothing else), so every other member of the API's problem document may be missing.
 */
export type Problem = Pick<ApiProblem, 'status'> & Partial<Omit<ApiProblem, 'status'>>;

/** The values of the API's enumerations, in the order the dashboard offers them. */
export const TENANT_STATUSES = ['PROVISIONING', 'ACTIVE', 'FAILED', 'SUSPENDED', 'DELETING', 'DELETED', 'DEPROVISIONING', 'DEPROVISIONED'] as const;
export const TIERS = ['FREE', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export const CLOUD_PROVIDERS = ['AZURE', 'AWS', 'GCP'] as const;
export const DEFAULT_REGION: Readonly<Record<string, string>> = { AZURE: 'eastus', AWS: 'us-east-1', GCP: 'us-central1' };
export const API_KEY_SCOPES = ['read', 'create', 'update', 'suspend', 'delete', 'infrastructure', 'audit'] as const;
export const TENANT_ROLES = ['Admin', 'Analyst', 'Viewer'] as const;

/**
 * The scopes a key of each role can have, as the service allows them (domain/api-key-scopes.ts:
 * a scope narrows the role, never widens it); the API refuses any other with a 400 naming
 * `scopes`, which the form shows next to them.
 */
export const SCOPES_OF_ROLE: Readonly<Record<(typeof TENANT_ROLES)[number] | 'platform_admin', readonly ApiKeyScope[]>> = {
  platform_admin: API_KEY_SCOPES,
  Admin: ['read', 'create', 'update', 'delete', 'audit'],
  Analyst: ['read', 'audit'],
  Viewer: ['read', 'audit'],
};

/** What each scope lets a key do, for the form's checkboxes. */
export const SCOPE_HINTS: Readonly<Record<ApiKeyScope, string>> = {
  read: 'read tenants, settings, keys and status',
  create: 'create tenants and API keys',
  update: 'change tenants, settings and features',
  suspend: 'suspend and reactivate tenants',
  delete: 'delete tenants, revoke API keys',
  infrastructure: 'infrastructure API, job retry and cancel',
  audit: "read a tenant's audit log",
};

export function isTenantStatus(value: string): value is Tenant['status'] {
  return (TENANT_STATUSES as readonly string[]).includes(value);
}

/** Fails to compile when a list above and the document's enumeration differ (a value added or gone). */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
type _EnumerationsMatchTheDocument = [
  Holds<SameMembers<(typeof TENANT_STATUSES)[number], Tenant['status']>>,
  Holds<SameMembers<(typeof TIERS)[number], Tenant['tier']>>,
  Holds<SameMembers<(typeof CLOUD_PROVIDERS)[number], Tenant['cloudProvider']>>,
  Holds<SameMembers<(typeof API_KEY_SCOPES)[number], ApiKeyScope>>,
];
