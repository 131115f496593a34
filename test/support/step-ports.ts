import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileArchiveStore } from '../../src/drivers/archive/file-archive-store.js';
import { tenantAuditExport } from '../../src/store/engine/export-tenant-audit.js';
import { builtinDedicatedModules } from '../../src/drivers/terraform/modules/builtin-dedicated.js';
import { SimulatedServicePrincipals } from '../../src/drivers/terraform/simulated-service-principals.js';
import { SimulatedTerraform } from '../../src/drivers/terraform/simulated-terraform.js';
import { memoryTerraformStateStore } from './memory-terraform-state.js';
import type { Db } from '../../src/store/open-database.js';
import { terraformStateLockStore } from '../../src/store/terraform/terraform-state-lock-store.js';
import { tenantConfigSource } from '../../src/store/tenants/tenant-config-source.js';
import { JobKind } from '../../src/domain/provisioning.js';
import type { StepPorts } from '../../src/steps/registry.js';

/** The registry's ports as build-engine.ts wires them by default, over a test's database. */
export function testStepPorts(db: Db): StepPorts {
  return {
    tenantConfig: tenantConfigSource(db),
    archive: { store: new FileArchiveStore(mkdtempSync(path.join(tmpdir(), 'matih-archive-'))), exportAudit: tenantAuditExport(db) },
    enterprise: {
      deps: {
        servicePrincipals: new SimulatedServicePrincipals(),
        stateLocks: terraformStateLockStore(db),
        terraform: new SimulatedTerraform({ modules: builtinDedicatedModules(), state: memoryTerraformStateStore() }),
      },
      options: { lockLeaseMs: 60_000 },
    },
  };
}

/** The operation a step test's context runs in: a first provisioning. */
export const PROVISION_OPERATION = { kind: JobKind.PROVISION, generation: 1 } as const;
