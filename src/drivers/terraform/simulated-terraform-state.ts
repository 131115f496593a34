import type { TerraformWorkspace } from '../contract.js';
import type { SimResourceStore } from '../simulated/sim-resource-store.js';

export interface SimulatedTerraformResource {
  address: string;
  type: string;
  name: string;
  /** The resource's configuration as applied. */
  values: Record<string, unknown>;
  id: string;
}

export interface SimulatedTerraformState {
  /** +1 on every write, as Terraform's state serial: a saved plan is stale once it moves. */
  serial: number;
  /** In the order they were created; destroy goes backwards. */
  resources: SimulatedTerraformResource[];
  /** Sensitive outputs are recorded without their value: the double holds no secret either. */
  outputs: Record<string, { sensitive: boolean; value?: unknown }>;
}

/** Where the simulated runner keeps each tenant's state, by state key. */
export interface SimulatedTerraformStateStore {
  get(workspace: TerraformWorkspace): Promise<SimulatedTerraformState | undefined>;
  put(workspace: TerraformWorkspace, state: SimulatedTerraformState): Promise<void>;
}

export const SIM_STATE_KIND = 'TerraformState';
const SIM_STATE_STEP = 'PROVISION_INFRASTRUCTURE';

/**
 * States in the table sim_resources, one row per state key: they survive a
 * restart, so a re-run after a crash finds what the interrupted apply made, as with a real backend.
 */
export function simResourceTerraformStateStore(store: SimResourceStore): SimulatedTerraformStateStore {
  return {
    async get(workspace) {
      const row = await store.get(workspace.tenantId, SIM_STATE_KIND, workspace.stateKey);
      return row ? (row.spec as unknown as SimulatedTerraformState) : undefined;
    },
    async put(workspace, state) {
      await store.upsert({
        tenantId: workspace.tenantId,
        kind: SIM_STATE_KIND,
        name: workspace.stateKey,
        step: SIM_STATE_STEP,
        spec: state as unknown as Record<string, unknown>,
      });
    },
  };
}
