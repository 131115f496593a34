import { type Command, InvalidArgumentError } from 'commander';

/** Option value parsers: a bad value is a usage error (exit 2) before anything is sent. */

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

/** Repeatable options (--kind a --kind b) collect into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The spec/000 configuration fields, shared by `tenants update` and `infra provision|update`. */
export interface ConfigurationOptions {
  storageGb?: number;
  enableHa?: boolean;
  databaseSize?: string;
}

export function configurationOf(options: ConfigurationOptions): Record<string, unknown> | undefined {
  const configuration: Record<string, unknown> = {};
  if (options.storageGb !== undefined) configuration.storageGb = options.storageGb;
  if (options.enableHa !== undefined) configuration.enableHa = options.enableHa;
  if (options.databaseSize !== undefined) configuration.databaseSize = options.databaseSize;
  return Object.keys(configuration).length > 0 ? configuration : undefined;
}

export function withConfigurationOptions(command: Command): Command {
  return command
    .option('--storage-gb <gb>', "the namespace's storage quota in GB", positiveInt)
    .option('--enable-ha', 'two replicas of each core service (not on FREE)')
    .option('--no-enable-ha', 'one replica of each core service')
    .option('--database-size <sku>', 'the database SKU, e.g. Standard_D2s_v3 (ENTERPRISE: the dedicated database)');
}
