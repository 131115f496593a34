import { CLOUD_PROVIDERS, type CloudProvider, DEFAULT_REGION, isRegionOf, parseCloudProvider } from './cloud.js';
import { type FieldError, ValidationError } from './errors.js';
import type { CreateTenantRequest, NewTenant } from './tenant.js';
import { DeploymentType, TIER_PROFILES, TIERS, type Tier, parseTier } from './tiers.js';

export const SLUG_MIN = 3;
export const SLUG_MAX = 40;
export const NAME_MAX = 100;
export const EMAIL_MAX = 254;

/**
 * Slugs that would collide with platform hosts, namespaces or routes once they become
 * `{slug}.{domain}`, `matih-{slug}` or `{slug}_schema`.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'admin', 'api', 'app', 'apps', 'auth', 'billing', 'blog', 'cdn', 'console', 'control-plane',
  'dashboard', 'data-plane', 'default', 'dev', 'docs', 'ftp', 'grafana', 'health', 'help',
  'internal', 'kube-node-lease', 'kube-public', 'kube-system', 'localhost', 'login', 'mail',
  'matih', 'metrics', 'monitoring', 'ns1', 'ns2', 'ns3', 'ns4', 'platform', 'postgres', 'prod',
  'production', 'prometheus', 'public', 'root', 'smtp', 'staging', 'static', 'status', 'support',
  'system', 'tenant', 'tenants', 'test', 'www',
]);

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// Deliberately pragmatic (RFC 5322 is far wider): one @, no spaces, a dotted domain with a TLD.
const EMAIL_PATTERN = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what we reject
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** An address the tenant admin (or anyone the tenant names, its alert recipient) can be written to. */
export function isEmailAddress(value: string): boolean {
  return value.length <= EMAIL_MAX && EMAIL_PATTERN.test(value);
}

export function slugProblem(slug: string): string | undefined {
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) {
    return `must be ${SLUG_MIN} to ${SLUG_MAX} characters long`;
  }
  if (!SLUG_PATTERN.test(slug)) {
    return 'must contain only lowercase letters, digits and hyphens, and must not start or end with a hyphen';
  }
  // "xn--" labels are IDNA punycode; double hyphens elsewhere make schema names ambiguous to read.
  if (slug.includes('--')) return 'must not contain two hyphens in a row';
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is a reserved word`;
  return undefined;
}

export interface TenantValidationContext {
  enabledCloudProviders: readonly CloudProvider[];
  /** The clouds this installation can build dedicated (Enterprise) infrastructure on; default: every one. */
  dedicatedCloudProviders?: readonly CloudProvider[];
}

/**
 * A dedicated tier on a cloud whose infrastructure this installation cannot build (the Terraform
 * modules are Azure's): refused when asked, rather than accepted and failed for good at
 * PROVISION_INFRASTRUCTURE. Undefined when it can be built.
 */
export function dedicatedCloudProblem(tier: Tier, provider: CloudProvider, dedicated: readonly CloudProvider[] | undefined): FieldError | undefined {
  if (dedicated === undefined || TIER_PROFILES[tier].deploymentType !== DeploymentType.DEDICATED || dedicated.includes(provider)) return undefined;
  return { field: 'cloudProvider', message: `${tier} runs on dedicated infrastructure, which this installation builds on ${dedicated.join(', ') || 'no cloud'} only` };
}

/** spec/002 phase 1 (VALIDATE), every rule at once; uniqueness is the database's job. */
export function validateNewTenant(req: CreateTenantRequest, ctx: TenantValidationContext): NewTenant {
  const errors: FieldError[] = [];
  const name = req.name.trim();
  if (name.length === 0) errors.push({ field: 'name', message: 'must not be empty' });
  else if (name.length > NAME_MAX) errors.push({ field: 'name', message: `must be at most ${NAME_MAX} characters long` });
  else if (CONTROL_CHARS.test(name)) errors.push({ field: 'name', message: 'must not contain control characters' });

  const slugError = slugProblem(req.slug);
  if (slugError) errors.push({ field: 'slug', message: slugError });

  const tier = parseTier(req.tier);
  if (!tier) errors.push({ field: 'tier', message: `must be one of ${TIERS.join(', ')} (any case)` });

  const adminEmail = req.adminEmail.trim().toLowerCase();
  if (adminEmail.length > EMAIL_MAX) errors.push({ field: 'adminEmail', message: `must be at most ${EMAIL_MAX} characters long` });
  else if (!EMAIL_PATTERN.test(adminEmail)) errors.push({ field: 'adminEmail', message: 'must be a valid email address' });

  const provider = req.cloudProvider === undefined ? 'AZURE' : parseCloudProvider(req.cloudProvider);
  let region = req.region?.trim();
  if (!provider) {
    errors.push({ field: 'cloudProvider', message: `must be one of ${CLOUD_PROVIDERS.join(', ')}` });
  } else if (!ctx.enabledCloudProviders.includes(provider)) {
    errors.push({
      field: 'cloudProvider',
      message: `${provider} is not enabled here; enabled: ${ctx.enabledCloudProviders.join(', ') || 'none'}`,
    });
  } else {
    region ??= DEFAULT_REGION[provider];
    if (!isRegionOf(provider, region)) {
      errors.push({ field: 'region', message: `"${region}" is not a region of ${provider}` });
    }
  }

  const dedicated = tier && provider ? dedicatedCloudProblem(tier, provider, ctx.dedicatedCloudProviders) : undefined;
  if (dedicated) errors.push(dedicated);

  if (errors.length > 0 || !tier || !provider || region === undefined) throw new ValidationError(errors);
  return { name, slug: req.slug, tier, adminEmail, cloudProvider: provider, region };
}
