import type { DesiredResource } from '../contract.js';

/**
 * Where the simulated Terraform keeps what it "built" for a tenant (table sim_resources): a
 * resource per tenant, kind and name, persisted so it survives restarts, as a real state would.
 */
export interface SimResourceStore {
  get(tenantId: string, kind: string, name: string): Promise<{ spec: Record<string, unknown> } | undefined>;
  upsert(resource: DesiredResource): Promise<void>;
  remove(tenantId: string, kind: string, name: string): Promise<void>;
  list(tenantId: string, step?: string): Promise<DesiredResource[]>;
}
