import { controlPlane } from './0001-control-plane.js';
import { provisioningEngine } from './0002-provisioning-engine.js';
import { simulatedCluster } from './0003-simulated-cluster.js';
import { dnsZones } from './0004-dns-zones.js';
import { featureOverrides } from './0005-feature-overrides.js';
import { terraformLocks } from './0006-terraform-locks.js';
import { tenantLifecycle } from './0007-tenant-lifecycle.js';
import { reconcilerLease } from './0008-reconciler-lease.js';
import { signingKeys } from './0009-signing-keys.js';
import { archiveObjects } from './0010-archive-objects.js';
import { requestCounters } from './0011-request-counters.js';
import { apiKeyScopes } from './0012-api-key-scopes.js';
import { traceContext } from './0013-trace-context.js';
import type { Migration } from './migration.js';

export type { Migration } from './migration.js';

/** In order. Never edit a migration that has shipped: add the next number. */
export const MIGRATIONS: readonly Migration[] = [controlPlane, provisioningEngine, simulatedCluster, dnsZones, featureOverrides, terraformLocks, tenantLifecycle, reconcilerLease, signingKeys, archiveObjects, requestCounters, apiKeyScopes, traceContext];
