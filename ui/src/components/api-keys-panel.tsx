import { useState } from 'preact/hooks';
import { ApiError, api, describeError } from '../api.js';
import { formatShortTime, formatTime } from '../format.js';
import { useNow, usePolled, valueOf } from '../hooks.js';
import { type ApiKey, type ApiKeyScope, type CreatedApiKey, SCOPES_OF_ROLE, SCOPE_HINTS, TENANT_ROLES } from '../types.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { CopyButton } from './copy-button.js';
import { Field, describedBy } from './field.js';
import { EmptyState, ErrorNotice, Loading } from './notice.js';

type KeyRole = keyof typeof SCOPES_OF_ROLE;

interface Form {
  name: string;
  role: KeyRole;
  scopes: ReadonlySet<ApiKeyScope>;
  expiresInDays: string;
}

/**
 * API keys: a tenant's (`tenant` set: its three roles) or the platform-admin ones. Lists them with
 * their scopes, expiry and last use (never a secret), creates one with scopes ticked (every scope
 * its role allows, at first) and an expiry, shows its secret once, and revokes. The API's
 * problems show next to their fields.
 */
export function ApiKeysPanel({ path, tenant, id }: { path: string; tenant: boolean; id: string }) {
  const now = useNow(60_000);
  const [loaded, reload] = usePolled(() => api<{ items: ApiKey[] }>(path), path);
  const firstRole: KeyRole = tenant ? 'Viewer' : 'platform_admin';
  const [form, setForm] = useState<Form>({ name: '', role: firstRole, scopes: new Set(SCOPES_OF_ROLE[firstRole]), expiresInDays: '' });
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [created, setCreated] = useState<CreatedApiKey | undefined>();
  const [revoking, setRevoking] = useState<ApiKey | undefined>();
  const [busy, setBusy] = useState(false);

  const allowed = SCOPES_OF_ROLE[form.role];
  const every = allowed.every((s) => form.scopes.has(s));
  const err = (field: string) => errors.get(field);

  const create = async () => {
    setBusy(true);
    setMessage(undefined);
    setErrors(new Map());
    setCreated(undefined);
    const days = form.expiresInDays.trim();
    const body = {
      name: form.name,
      ...(tenant ? { role: form.role } : {}),
      // Every box ticked: the key gets every scope of its role, now and later (the API's default).
      ...(every ? {} : { scopes: allowed.filter((s) => form.scopes.has(s)) }),
      ...(days === '' ? {} : { expiresInDays: /^\d+$/.test(days) ? Number(days) : days }),
    };
    try {
      const key = await api<CreatedApiKey>(path, { method: 'POST', body });
      setCreated(key);
      setForm({ ...form, name: '', expiresInDays: '' });
      reload();
    } catch (error) {
      setErrors(error instanceof ApiError ? error.fieldErrors() : new Map());
      setMessage({ ok: false, text: `Create the key: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await api(`${path}/${key.id}`, { method: 'DELETE' });
      setMessage({ ok: true, text: `Revoked ${key.name}: it and its tokens no longer work.` });
      reload();
    } catch (error) {
      setMessage({ ok: false, text: `Revoke ${key.name}: ${describeError(error)}` });
    } finally {
      setBusy(false);
      setRevoking(undefined);
    }
  };

  const keys = valueOf(loaded)?.items;
  const heading = `${id}-heading`;
  return (
    <section class="card" aria-labelledby={heading} data-testid="api-keys">
      <h2 id={heading}>{tenant ? 'API keys' : 'Platform-admin API keys'}</h2>
      {loaded.state === 'loading' && <Loading what="the API keys" />}
      {loaded.state === 'error' && <ErrorNotice error={loaded.error} title="Could not load the API keys" retry={reload} />}
      {keys && keys.length === 0 && (
        <EmptyState title="No API keys yet.">
          <p>Create one below, for a script or a service.</p>
        </EmptyState>
      )}
      {keys && keys.length > 0 && (
        <div class="table-wrap" role="region" aria-label="API keys" tabIndex={0}>
          <table class="table" data-testid="api-key-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                {tenant && <th scope="col">Role</th>}
                <th scope="col">Scopes</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => {
                const expired = k.expiresAt !== null && new Date(k.expiresAt).getTime() <= now;
                return (
                  <tr key={k.id} data-key-id={k.id} data-key-name={k.name}>
                    <th scope="row">{k.name}</th>
                    {tenant && <td>{k.role}</td>}
                    <td data-testid="key-scopes">{k.scopes.join(', ')}</td>
                    <td data-testid="key-expires">{k.expiresAt ? formatTime(k.expiresAt) : 'Never'}</td>
                    <td data-testid="key-last-used">{k.lastUsedAt ? formatShortTime(k.lastUsedAt) : 'Never'}</td>
                    <td>{formatShortTime(k.createdAt)}</td>
                    <td data-testid="key-state">
                      {k.revokedAt ? (
                        <span class="badge badge-muted">Revoked {formatShortTime(k.revokedAt)}</span>
                      ) : expired ? (
                        <span class="badge badge-bad">Expired</span>
                      ) : (
                        <button type="button" class="button button-small button-danger" disabled={busy} aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {created && (
        <div class="notice notice-ok" role="status" data-testid="created-key">
          <p class="notice-title">Key {created.name} created, with {created.scopes.join(', ')}.</p>
          <p>
            <strong>It is shown this once and never again: store it now.</strong>
          </p>
          <div class="secret">
            <code data-testid="created-key-secret">{created.key}</code>
            <CopyButton text={created.key} label="Copy the key" />
          </div>
          <button type="button" class="button" onClick={() => setCreated(undefined)}>
            I have stored it
          </button>
        </div>
      )}

      <form
        class="form"
        aria-labelledby={`${id}-create-heading`}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <h3 id={`${id}-create-heading`}>Create a key</h3>
        <div class="field-row">
          <Field id={`${id}-name`} label="Key name" error={err('name')}>
            <input {...describedBy(`${id}-name`, err('name'))} name="name" autoComplete="off" value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          </Field>
          {tenant && (
            <Field id={`${id}-role`} label="Role" error={err('role')}>
              <select
                {...describedBy(`${id}-role`, err('role'))}
                name="role"
                value={form.role}
                onChange={(e) => {
                  const role = e.currentTarget.value as KeyRole;
                  setForm({ ...form, role, scopes: new Set(SCOPES_OF_ROLE[role]) });
                }}
              >
                {TENANT_ROLES.map((r) => (
                  <option value={r}>{r}</option>
                ))}
              </select>
            </Field>
          )}
          <Field id={`${id}-expires`} label="Expires in days" error={err('expiresInDays')} hint="Empty: never">
            <input
              {...describedBy(`${id}-expires`, err('expiresInDays'), true)}
              name="expiresInDays"
              inputMode="numeric"
              autoComplete="off"
              value={form.expiresInDays}
              onInput={(e) => setForm({ ...form, expiresInDays: e.currentTarget.value })}
            />
          </Field>
        </div>
        <fieldset class={err('scopes') ? 'field scopes field-invalid' : 'field scopes'} aria-describedby={[`${id}-scopes-hint`, err('scopes') ? `${id}-scopes-error` : ''].filter(Boolean).join(' ')}>
          <legend>Scopes</legend>
          {allowed.map((scope) => (
            <label key={scope} class="scope" for={`${id}-scope-${scope}`}>
              <input
                type="checkbox"
                id={`${id}-scope-${scope}`}
                name="scopes"
                value={scope}
                checked={form.scopes.has(scope)}
                onChange={(e) => {
                  const scopes = new Set(form.scopes);
                  if (e.currentTarget.checked) scopes.add(scope);
                  else scopes.delete(scope);
                  setForm({ ...form, scopes });
                }}
              />
              <span>
                <code>{scope}</code> <span class="muted small">{SCOPE_HINTS[scope]}</span>
              </span>
            </label>
          ))}
          <p class="field-hint" id={`${id}-scopes-hint`}>
            What the key may be used for, within its role. All ticked: every scope of the role, now and later.
          </p>
          {err('scopes') && (
            <p class="field-error" id={`${id}-scopes-error`} data-field-error={`${id}-scopes`}>
              {err('scopes')}
            </p>
          )}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            Create the key
          </button>
        </div>
      </form>

      {message && (
        <p class={message.ok ? 'notice notice-ok' : 'notice notice-error'} role={message.ok ? 'status' : 'alert'} data-testid="api-keys-message">
          {message.text}
        </p>
      )}

      <ConfirmDialog
        title={`Revoke ${revoking?.name ?? 'the key'}?`}
        open={revoking !== undefined}
        onClose={() => setRevoking(undefined)}
        confirmLabel="Revoke the key"
        busy={busy}
        onConfirm={() => {
          if (revoking) void revoke(revoking);
        }}
      >
        <p>The key stops working at once, and so does every token exchanged for it. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
