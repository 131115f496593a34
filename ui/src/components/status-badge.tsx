import { humanize } from '../format.js';

const TONES: Readonly<Record<string, string>> = {
  ACTIVE: 'good',
  SUCCEEDED: 'good',
  COMPLETED: 'good',
  PROVISIONING: 'busy',
  RUNNING: 'busy',
  PENDING: 'wait',
  DELETING: 'busy',
  DEPROVISIONING: 'busy',
  ROLLING_BACK: 'bad',
  ROLLED_BACK: 'muted',
  FAILED: 'bad',
  CANCELLED: 'muted',
  SUSPENDED: 'wait',
  DELETED: 'muted',
  DEPROVISIONED: 'muted',
  SKIPPED: 'muted',
  RETRYING: 'wait',
  ROLLBACK_FAILED: 'bad',
  // Infrastructure record statuses (spec/000).
  REQUESTED: 'wait',
  PLANNING: 'busy',
  APPLYING: 'busy',
  DEPLOYING: 'busy',
  CONFIGURING: 'busy',
  VERIFYING: 'busy',
  UPDATING: 'busy',
};

/** A status as text (never colour alone), tinted by what it means. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return (
    <span class={`badge badge-${TONES[status] ?? 'muted'}`} data-status={status}>
      {label ?? humanize(status)}
    </span>
  );
}
