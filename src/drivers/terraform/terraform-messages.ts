import type { TerraformChanges, TerraformProgress } from '../contract.js';

/**
 * Terraform's machine-readable UI (`-json`, UI version 1.x): one JSON object per line, each with
 * `@level`, `@message`, `type` and a type-specific body. Only the fields this control plane reads
 * are typed; everything else is passed over. https://developer.hashicorp.com/terraform/internals/machine-readable-ui
 */
export interface TerraformResourceRef {
  addr: string;
  resource_type?: string;
  resource_name?: string;
}

export interface TerraformDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail?: string;
  address?: string;
}

export interface TerraformMessage {
  '@level': string;
  '@message': string;
  type: string;
  change?: { resource: TerraformResourceRef; action: string; reason?: string };
  hook?: { resource: TerraformResourceRef; action?: string; elapsed_seconds?: number; id_key?: string; id_value?: string };
  changes?: TerraformChanges & { import?: number; operation: string };
  diagnostic?: TerraformDiagnostic;
  /** In the `outputs` message: per output its sensitivity and, after apply, its value unless sensitive. */
  outputs?: Record<string, { sensitive: boolean; type?: unknown; value?: unknown; action?: string }>;
}

/** One line of the stream; undefined for a line that is not a Terraform message (blank, or text). */
export function parseTerraformLine(line: string): TerraformMessage | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.type !== 'string' || typeof record['@message'] !== 'string') return undefined;
  return parsed as TerraformMessage;
}

/**
 * Messages a person watching does not need: the version banner, state refreshes, and
 * provisioner output (a command's output may print anything, secrets included).
 */
const QUIET = new Set(['version', 'refresh_start', 'refresh_complete', 'provision_progress']);

/** The progress event for a message, or undefined for messages not worth showing. */
export function toProgress(message: TerraformMessage): TerraformProgress | undefined {
  if (QUIET.has(message.type)) return undefined;
  const level = message['@level'] === 'error' ? 'error' : message['@level'] === 'warn' ? 'warn' : 'info';
  const event: TerraformProgress = { type: message.type, message: message['@message'], level };
  const resource = message.change?.resource ?? message.hook?.resource;
  if (resource) event.address = resource.addr;
  const action = message.change?.action ?? message.hook?.action;
  if (action) event.action = action;
  if (message.hook?.elapsed_seconds !== undefined) event.elapsedSeconds = message.hook.elapsed_seconds;
  if (message.diagnostic?.address) event.address = message.diagnostic.address;
  if (message.changes) {
    const { add, change, remove, operation } = message.changes;
    event.changes = { add, change, remove, operation };
  }
  return event;
}
