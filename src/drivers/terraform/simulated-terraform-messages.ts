import type { TerraformChanges } from '../contract.js';
import type { TerraformMessage, TerraformResourceRef } from './terraform-messages.js';

/**
 * The messages the simulated runner emits, shaped exactly as Terraform 1.x prints them with
 * -json (type, @level, @message and body), so they go through the same parser as the real stream.
 */
function resource(address: string): TerraformResourceRef {
  const dot = address.indexOf('.');
  return { addr: address, resource_type: address.slice(0, dot), resource_name: address.slice(dot + 1) };
}

const VERBS: Record<string, [string, string, string]> = {
  create: ['Creating...', 'Creation complete', 'Creation errored'],
  update: ['Modifying...', 'Modifications complete', 'Modifications errored'],
  delete: ['Destroying...', 'Destruction complete', 'Destruction errored'],
};

function verbs(action: string): [string, string, string] {
  return VERBS[action] ?? ['Applying...', 'Apply complete', 'Apply errored'];
}

const info = (message: string, type: string, body: Partial<TerraformMessage> = {}): TerraformMessage => ({ '@level': 'info', '@message': message, type, ...body });

export const simMessages = {
  plannedChange: (address: string, action: string): TerraformMessage =>
    info(`${address}: Plan to ${action}`, 'planned_change', { change: { resource: resource(address), action } }),
  applyStart: (address: string, action: string): TerraformMessage =>
    info(`${address}: ${verbs(action)[0]}`, 'apply_start', { hook: { resource: resource(address), action } }),
  applyComplete: (address: string, action: string, id: string, seconds: number): TerraformMessage =>
    info(`${address}: ${verbs(action)[1]} after ${seconds}s${action === 'delete' ? '' : ` [id=${id}]`}`, 'apply_complete', {
      hook: { resource: resource(address), action, id_key: 'id', id_value: id, elapsed_seconds: seconds },
    }),
  applyErrored: (address: string, action: string, seconds: number): TerraformMessage =>
    info(`${address}: ${verbs(action)[2]} after ${seconds}s`, 'apply_errored', { hook: { resource: resource(address), action, elapsed_seconds: seconds } }),
  diagnostic: (summary: string, detail: string | undefined, address?: string): TerraformMessage => ({
    '@level': 'error',
    '@message': `Error: ${summary}`,
    type: 'diagnostic',
    diagnostic: { severity: 'error', summary, ...(detail !== undefined ? { detail } : {}), ...(address ? { address } : {}) },
  }),
  changeSummary: (changes: TerraformChanges, operation: 'plan' | 'apply' | 'destroy'): TerraformMessage => {
    const text =
      operation === 'plan'
        ? `Plan: ${changes.add} to add, ${changes.change} to change, ${changes.remove} to destroy.`
        : operation === 'apply'
          ? `Apply complete! Resources: ${changes.add} added, ${changes.change} changed, ${changes.remove} destroyed.`
          : `Destroy complete! Resources: ${changes.remove} destroyed.`;
    return info(text, 'change_summary', { changes: { ...changes, import: 0, operation } });
  },
  outputs: (outputs: TerraformMessage['outputs'] & object): TerraformMessage => info(`Outputs: ${Object.keys(outputs).length}`, 'outputs', { outputs }),
};
