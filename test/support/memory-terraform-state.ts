import type { SimulatedTerraformState, SimulatedTerraformStateStore } from '../../src/drivers/terraform/simulated-terraform-state.js';

/** Terraform states in memory, for tests of the simulated Terraform without a database; lost when the process ends. */
export function memoryTerraformStateStore(): SimulatedTerraformStateStore & { keys(): string[] } {
  const states = new Map<string, SimulatedTerraformState>();
  return {
    async get(workspace) {
      const state = states.get(workspace.stateKey);
      return state && structuredClone(state);
    },
    async put(workspace, state) {
      states.set(workspace.stateKey, structuredClone(state));
    },
    keys: () => [...states.keys()],
  };
}
