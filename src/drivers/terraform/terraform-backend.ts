import path from 'node:path';
import { DriverError } from '../contract.js';

// State keys are ours ("tenants/{uuid}.tfstate"); they become URL paths and file names.
const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9/_.-]*$/;

/**
 * Where tenant states live. `http`: a state service speaking Terraform's HTTP backend protocol
 * (GET/POST the state, LOCK/UNLOCK it), one state per tenant under its key. `local`: files under
 * a directory, for a single machine.
 */
export type TerraformBackend =
  | {
      kind: 'http';
      /** The state URL; `{key}` is replaced by the state key, or the key is appended as a path. */
      address: string;
      /** The lock URL (same rule); default the state URL, which is what Terraform's LOCK/UNLOCK methods expect. */
      lockAddress?: string;
      lockMethod?: string;
      unlockMethod?: string;
      username?: string;
      /** A secret: given to Terraform in its environment, never in a file or an argument. */
      password?: string;
      skipCertVerification?: boolean;
    }
  | { kind: 'local'; directory: string };

/** The state URL for a key: "tenants/{tenantId}.tfstate" under the configured address. */
export function stateAddress(template: string, stateKey: string): string {
  if (template.includes('{key}')) return template.replaceAll('{key}', stateKey);
  return `${template.replace(/\/+$/, '')}/${stateKey}`;
}

/**
 * `-backend-config` arguments for `terraform init`: the backend block in main.tf.json is empty
 * (a partial configuration), so nothing about where the state lives, and no credential, is
 * written into the configuration.
 */
export function backendConfigArgs(backend: TerraformBackend, stateKey: string): string[] {
  if (!SAFE_KEY.test(stateKey) || stateKey.split('/').includes('..')) throw new DriverError(`invalid Terraform state key ${JSON.stringify(stateKey)}`, false);
  if (backend.kind === 'local') return [`-backend-config=path=${path.join(backend.directory, stateKey)}`];
  const address = stateAddress(backend.address, stateKey);
  const lock = stateAddress(backend.lockAddress ?? backend.address, stateKey);
  const settings: [string, string | undefined][] = [
    ['address', address],
    ['lock_address', lock],
    ['unlock_address', lock],
    ['lock_method', backend.lockMethod],
    ['unlock_method', backend.unlockMethod],
    ['skip_cert_verification', backend.skipCertVerification ? 'true' : undefined],
  ];
  return settings.filter(([, value]) => value !== undefined).map(([name, value]) => `-backend-config=${name}=${value}`);
}

/**
 * The backend's credentials, as the environment variables the HTTP backend reads. Not as
 * -backend-config: Terraform copies those into .terraform/terraform.tfstate in clear text, and
 * arguments are visible to every user of the machine in the process list.
 */
export function backendEnvironment(backend: TerraformBackend): Record<string, string> {
  if (backend.kind !== 'http') return {};
  const env: Record<string, string> = {};
  if (backend.username !== undefined) env.TF_HTTP_USERNAME = backend.username;
  if (backend.password !== undefined) env.TF_HTTP_PASSWORD = backend.password;
  return env;
}

export function backendBlockName(backend: TerraformBackend): string {
  return backend.kind;
}
