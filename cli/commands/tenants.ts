import { Command } from 'commander';
import type { Runner } from '../context.js';
import { tenantDeleteCommand } from './tenant-delete.js';
import { tenantLifecycleCommands } from './tenant-lifecycle.js';
import { tenantStatusCommand } from './tenant-status.js';
import { tenantReadCommands } from './tenants-read.js';

export function tenantsCommand(run: Runner): Command {
  const tenants = new Command('tenants').description('create, list, follow and operate tenants (tenant API)');
  for (const command of [...tenantReadCommands(run), tenantStatusCommand(run), ...tenantLifecycleCommands(run), tenantDeleteCommand(run)]) {
    tenants.addCommand(command);
  }
  return tenants;
}
