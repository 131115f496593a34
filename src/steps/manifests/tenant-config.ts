import { createHash } from 'node:crypto';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { StepName } from '../../domain/plans.js';
import type { TenantConfig } from '../../domain/tenant-config.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { TenantFacts } from '../step.js';
import { tenantMeta, toKubeObject } from './object-meta.js';
import { assertValidManifests } from './validate.js';

/**
 * spec/002 phase 6 (CONFIGURE): the tenant's resolved configuration (domain/tenant-config.ts) as
 * the ConfigMap `tenant-config` in its namespace, which the config-service reads. One JSON file,
 * so a reader gets settings and flags of one moment together; its SHA-256 is annotated on the
 * object, so a reader (or a Deployment's checksum annotation) can tell a change without parsing.
 */

export const TENANT_CONFIG = 'tenant-config';
export const TENANT_CONFIG_FILE = 'tenant-config.json';
export const CONFIG_HASH_ANNOTATION = 'matih.ai/config-hash';
/** What the config-service selects the object by, beside its name. */
export const CONFIG_LABEL = 'matih.ai/config';

export interface TenantConfigManifest {
  object: KubeObject;
  /** Hex SHA-256 of the file: the configuration's version. */
  hash: string;
}

export function tenantConfigText(config: TenantConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function configHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The `tenant-config` ConfigMap for CONFIGURE, validated. */
export function tenantConfigManifest(tenant: TenantFacts, config: TenantConfig): TenantConfigManifest {
  const text = tenantConfigText(config);
  const hash = configHash(text);
  const meta = tenantMeta(tenant, StepName.CONFIGURE, TENANT_CONFIG);
  const cm: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta, labels: { ...meta.labels, [CONFIG_LABEL]: 'tenant' }, annotations: { [CONFIG_HASH_ANNOTATION]: hash } },
    data: { [TENANT_CONFIG_FILE]: text },
  };
  const object = toKubeObject(cm);
  assertValidManifests([object]);
  return { object, hash };
}
