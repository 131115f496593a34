import type { DriverError, TerraformChanges, TerraformPlannedChange, TerraformProgress } from '../contract.js';
import { terraformError } from './terraform-errors.js';
import { type TerraformDiagnostic, type TerraformMessage, parseTerraformLine, toProgress } from './terraform-messages.js';

/**
 * What one Terraform command said, gathered from its message stream: the real CLI's stdout lines
 * and the simulated runner's messages go through the same collector, so both report progress,
 * change counts and errors identically.
 */
export class TerraformStream {
  readonly diagnostics: TerraformDiagnostic[] = [];
  readonly planned: TerraformPlannedChange[] = [];
  /** Resources whose create, update or destroy failed (apply_errored). */
  readonly errored: string[] = [];
  summary: (TerraformChanges & { operation: string }) | undefined;

  constructor(
    private readonly onProgress: ((event: TerraformProgress) => void) | undefined,
    /** Takes secrets the caller knows of out of every message before anyone sees it. */
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  /** One stdout line: a JSON message, or text Terraform printed outside the protocol (ignored). */
  pushLine(line: string): void {
    const message = parseTerraformLine(line);
    if (message) this.push(message);
  }

  push(message: TerraformMessage): void {
    switch (message.type) {
      case 'planned_change':
        if (message.change) this.planned.push({ address: message.change.resource.addr, action: message.change.action });
        break;
      case 'apply_errored':
        if (message.hook) this.errored.push(message.hook.resource.addr);
        break;
      case 'change_summary':
        if (message.changes) {
          const { add, change, remove, operation } = message.changes;
          this.summary = { add, change, remove, operation };
        }
        break;
      case 'diagnostic':
        if (message.diagnostic) {
          const d = message.diagnostic;
          this.diagnostics.push({
            severity: d.severity,
            summary: this.redact(d.summary),
            ...(d.detail !== undefined ? { detail: this.redact(d.detail) } : {}),
            ...(d.address !== undefined ? { address: d.address } : {}),
          });
        }
        break;
      default:
        break;
    }
    const event = toProgress(message);
    if (event && this.onProgress) this.onProgress({ ...event, message: this.redact(event.message) });
  }

  /** The counts of the change summary, zero when Terraform printed none (nothing to do). */
  changes(): TerraformChanges {
    return { add: this.summary?.add ?? 0, change: this.summary?.change ?? 0, remove: this.summary?.remove ?? 0 };
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** The DriverError for a failed command, from the diagnostics or else `fallback` (its stderr). */
  error(command: string, fallback = ''): DriverError {
    return terraformError(command, this.diagnostics, this.redact(fallback));
  }
}
