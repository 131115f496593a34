import { DriverError, type TerraformOutputs } from '../contract.js';

interface OutputEntry {
  sensitive?: boolean;
  value?: unknown;
}

/**
 * `terraform output -json` as the step may keep it. That command prints sensitive values in
 * clear; here they are dropped, by name only remembered, before the text goes anywhere else.
 */
export function terraformOutputs(stdout: string): TerraformOutputs {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim() || '{}');
  } catch {
    // Never quote the text: it may hold the very values being withheld.
    throw new DriverError('terraform output -json printed something that is not JSON', true);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DriverError('terraform output -json printed something that is not an object', true);
  }
  const values: Record<string, unknown> = {};
  const sensitive: string[] = [];
  for (const [name, entry] of Object.entries(parsed as Record<string, OutputEntry>)) {
    if (entry.sensitive !== false) sensitive.push(name);
    else values[name] = entry.value;
  }
  return { values, sensitive: sensitive.sort() };
}
