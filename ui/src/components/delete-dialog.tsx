import { useState } from 'preact/hooks';
import { ApiError, api, describeError } from '../api.js';
import type { DeletionRequest, Tenant } from '../types.js';
import { Dialog } from './confirm-dialog.js';
import { Field, describedBy } from './field.js';

/**
 * Deletion in the API's two steps: ask for a one-time confirmation code, then send it back with
 * DELETE. The user also types the slug again, so a tenant is never deleted by a stray click.
 */
export function DeleteDialog({ tenant, open, onClose, onDeleted }: { tenant: Tenant; open: boolean; onClose: () => void; onDeleted: () => void }) {
  const [code, setCode] = useState<DeletionRequest | undefined>();
  const [typedCode, setTypedCode] = useState('');
  const [typedSlug, setTypedSlug] = useState('');
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const close = () => {
    setCode(undefined);
    setTypedCode('');
    setTypedSlug('');
    setErrors(new Map());
    setFailure(undefined);
    onClose();
  };

  const requestCode = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      const issued = await api<DeletionRequest>(`/api/v1/tenants/${tenant.id}/deletion-requests`, { method: 'POST' });
      setCode(issued);
      setTypedCode(issued.confirmationCode);
    } catch (error) {
      setFailure(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (event: Event) => {
    event.preventDefault();
    if (typedSlug !== tenant.slug) {
      setErrors(new Map([['slug', `type ${tenant.slug} exactly to confirm`]]));
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      await api(`/api/v1/tenants/${tenant.id}`, { method: 'DELETE', body: { confirmationCode: typedCode.trim() } });
      close();
      onDeleted();
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : new Map<string, string>();
      const codeError = fields.get('confirmationCode') ?? fields.get('x-confirmation-code');
      setErrors(codeError ? new Map([['code', codeError]]) : new Map());
      if (!codeError) setFailure(describeError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Delete ${tenant.name}?`} open={open} onClose={close}>
      <p>
        Deleting archives the tenant's audit log, then removes its services, database, namespace and DNS zone, and finally its record.{' '}
        <strong>It cannot be undone.</strong>
      </p>
      {failure && (
        <p class="notice notice-error" role="alert">
          {failure}
        </p>
      )}
      {!code ? (
        <div class="dialog-actions">
          <button type="button" class="button" onClick={close}>
            Keep it
          </button>
          <button type="button" class="button button-danger" disabled={busy} onClick={() => void requestCode()}>
            Get a confirmation code
          </button>
        </div>
      ) : (
        <form onSubmit={(e) => void remove(e)} noValidate>
          <p>
            Confirmation code issued; it is valid until {new Date(code.expiresAt).toLocaleTimeString()} and works once.
          </p>
          <Field id="delete-code" label="Confirmation code" error={errors.get('code')}>
            <input {...describedBy('delete-code', errors.get('code'))} autoComplete="off" spellcheck={false} value={typedCode} onInput={(e) => setTypedCode(e.currentTarget.value)} />
          </Field>
          <Field id="delete-slug" label={`Type the slug (${tenant.slug}) to confirm`} error={errors.get('slug')}>
            <input {...describedBy('delete-slug', errors.get('slug'))} autoComplete="off" spellcheck={false} value={typedSlug} onInput={(e) => setTypedSlug(e.currentTarget.value)} />
          </Field>
          <div class="dialog-actions">
            <button type="button" class="button" onClick={close}>
              Keep it
            </button>
            <button type="submit" class="button button-danger" disabled={busy || typedSlug !== tenant.slug || typedCode.trim() === ''}>
              Delete this tenant
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
