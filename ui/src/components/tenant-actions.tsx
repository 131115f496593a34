import { useState } from 'preact/hooks';
import { api, describeError } from '../api.js';
import { humanize } from '../format.js';
import { isPlatformAdmin, useSession } from '../session.js';
import { type ProvisioningStatus, TIERS, type Tenant } from '../types.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { DeleteDialog } from './delete-dialog.js';

type Asking = 'suspend' | 'cancel' | 'delete' | undefined;

/**
 * What a platform admin may do to the tenant now; other roles read only. Each button calls
 * the API once; the job it starts shows in the provisioning view through the WebSocket.
 */
export function TenantActions({ tenant, status, onChanged }: { tenant: Tenant; status: ProvisioningStatus | undefined; onChanged: () => void }) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [asking, setAsking] = useState<Asking>();
  const [tier, setTier] = useState<string>(tenant.tier);

  if (!isPlatformAdmin(session)) {
    return (
      <section class="card" aria-labelledby="actions-heading">
        <h2 id="actions-heading">Actions</h2>
        <p class="muted">Read only: changing a tenant takes a platform admin (you are {session.who.role}).</p>
      </section>
    );
  }

  const job = status?.job;
  const jobOpen = job !== undefined && ['PENDING', 'RUNNING', 'ROLLING_BACK'].includes(job.status);
  const gone = tenant.status === 'DELETING' || tenant.status === 'DELETED';

  const run = async (what: string, path: string, method = 'POST', body?: unknown) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await api(path, { method, ...(body === undefined ? {} : { body }) });
      setMessage({ ok: true, text: `${what}: accepted.` });
      onChanged();
    } catch (error) {
      setMessage({ ok: false, text: `${what}: ${describeError(error)}` });
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };
  const base = `/api/v1/tenants/${tenant.id}`;

  return (
    <section class="card" aria-labelledby="actions-heading" data-testid="actions">
      <h2 id="actions-heading">Actions</h2>
      <div class="actions">
        {job && (job.status === 'FAILED' || job.status === 'CANCELLED') && (
          <button type="button" class="button" disabled={busy} onClick={() => void run('Retry', `${base}/provisioning/retry`)}>
            Retry the {humanize(job.kind).toLowerCase()} job
          </button>
        )}
        {jobOpen && job.status !== 'ROLLING_BACK' && (
          <button type="button" class="button" disabled={busy} onClick={() => setAsking('cancel')}>
            Cancel the job
          </button>
        )}
        {tenant.status === 'ACTIVE' && !jobOpen && (
          <button type="button" class="button" disabled={busy} onClick={() => setAsking('suspend')}>
            Suspend
          </button>
        )}
        {tenant.status === 'SUSPENDED' && !jobOpen && (
          <button type="button" class="button" disabled={busy} onClick={() => void run('Reactivate', `${base}/reactivate`)}>
            Reactivate
          </button>
        )}
        {!gone && (
          <button type="button" class="button button-danger" disabled={busy} onClick={() => setAsking('delete')}>
            Delete…
          </button>
        )}
      </div>

      {tenant.status === 'ACTIVE' && !jobOpen && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run('Change tier', base, 'PATCH', { tier });
          }}
        >
          <label for="update-tier">Tier</label>
          <select id="update-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
            {TIERS.map((t) => (
              <option value={t}>{humanize(t)}</option>
            ))}
          </select>
          <button type="submit" class="button" disabled={busy || tier === tenant.tier}>
            Update tier
          </button>
        </form>
      )}

      {message && (
        <p class={message.ok ? 'notice notice-ok' : 'notice notice-error'} role={message.ok ? 'status' : 'alert'} data-testid="action-message">
          {message.text}
        </p>
      )}

      <ConfirmDialog
        title={`Suspend ${tenant.name}?`}
        open={asking === 'suspend'}
        onClose={() => setAsking(undefined)}
        confirmLabel="Suspend the tenant"
        busy={busy}
        onConfirm={() => void run('Suspend', `${base}/suspend`)}
      >
        <p>Its API keys and tokens are refused at once (tokens issued before stay revoked for good) and its workloads scale to zero. Its data stays.</p>
      </ConfirmDialog>
      <ConfirmDialog
        title="Cancel the running job?"
        open={asking === 'cancel'}
        onClose={() => setAsking(undefined)}
        confirmLabel="Cancel the job"
        busy={busy}
        onConfirm={() => void run('Cancel', `${base}/provisioning/cancel`)}
      >
        <p>The job stops; a provisioning job rolls back what it did.</p>
      </ConfirmDialog>
      <DeleteDialog
        tenant={tenant}
        open={asking === 'delete'}
        onClose={() => setAsking(undefined)}
        onDeleted={() => {
          setMessage({ ok: true, text: 'Delete: accepted; the tenant is being torn down.' });
          onChanged();
        }}
      />
    </section>
  );
}
