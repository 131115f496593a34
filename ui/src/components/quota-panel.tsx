import { useState } from 'preact/hooks';
import { ApiError, api, describeError } from '../api.js';
import { humanize } from '../format.js';
import { isPlatformAdmin, useSession } from '../session.js';
import type { Infrastructure } from '../types.js';
import { Field, describedBy } from './field.js';

type Quota = NonNullable<NonNullable<Infrastructure['desiredState']>['configuration']['quota']>;
type QuotaField = keyof Quota;

/** The quota's fields in the order the API stores them, with how the dashboard names them. */
const FIELDS: readonly { name: QuotaField; label: string; hint: string }[] = [
  { name: 'cpuRequests', label: 'CPU requests', hint: 'e.g. 16 or 500m' },
  { name: 'cpuLimits', label: 'CPU limits', hint: 'e.g. 32' },
  { name: 'memoryRequests', label: 'Memory requests', hint: 'e.g. 32Gi' },
  { name: 'memoryLimits', label: 'Memory limits', hint: 'e.g. 64Gi' },
  { name: 'pods', label: 'Pods', hint: 'whole number' },
  { name: 'services', label: 'Services', hint: 'whole number' },
  { name: 'persistentVolumeClaims', label: 'Volume claims', hint: 'whole number' },
];
const COUNTS: ReadonlySet<QuotaField> = new Set(['pods', 'services', 'persistentVolumeClaims']);

type Form = Record<QuotaField, string>;

function formOf(quota: Quota | undefined): Form {
  const form = {} as Form;
  for (const { name } of FIELDS) form[name] = quota ? String(quota[name]) : '';
  return form;
}

/** Counts go as numbers; anything that is not one goes as typed, for the API to name. */
function bodyOf(form: Form): Record<string, string | number> {
  const body: Record<string, string | number> = {};
  for (const { name } of FIELDS) {
    const text = form[name].trim();
    if (text === '') continue;
    body[name] = COUNTS.has(name) && /^\d+$/.test(text) ? Number(text) : text;
  }
  return body;
}

/**
 * The namespace's ResourceQuota. Free and Professional have their tier's (spec/004); an
 * Enterprise tenant has the one a platform admin declared (spec/002's "Custom"), or none. A
 * platform admin declares, changes or removes it here through PATCH /api/v1/tenants/:id, whose
 * problems show next to their fields; the update job then applies it, and the record shows the
 * declared quota beside the one reached until it has.
 */
export function QuotaPanel({ record, onChanged }: { record: Infrastructure; onChanged: () => void }) {
  const session = useSession();
  const desired = record.desiredState;
  const declared = desired?.configuration.quota;
  const [form, setForm] = useState<Form>(() => formOf(declared));
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);

  if (!desired) return null;
  if (desired.tier !== 'ENTERPRISE') {
    return (
      <section aria-labelledby="quota-heading" data-testid="quota">
        <h3 id="quota-heading">Quota</h3>
        <p class="muted">The {humanize(desired.tier)} tier's quota (spec/004), with {desired.configuration.storageGb ?? '–'} GB of storage.</p>
      </section>
    );
  }

  const reached = record.configuration.quota;
  const pending = JSON.stringify(declared ?? null) !== JSON.stringify(reached ?? null);
  const editable = isPlatformAdmin(session) && record.status === 'ACTIVE' && record.currentJob === null;

  const send = async (quota: Record<string, string | number> | null, what: string) => {
    setBusy(true);
    setMessage(undefined);
    setErrors(new Map());
    try {
      await api(`/api/v1/tenants/${record.tenantId}`, { method: 'PATCH', body: { configuration: { quota } } });
      setMessage({ ok: true, text: `${what}: accepted; the update job applies it.` });
      onChanged();
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : new Map<string, string>();
      setErrors(new Map([...fields].map(([field, text]) => [field.replace(/^configuration\.quota\./, ''), text])));
      setMessage({ ok: false, text: `${what}: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  };
  const err = (name: QuotaField) => errors.get(name);

  return (
    <section aria-labelledby="quota-heading" data-testid="quota">
      <h3 id="quota-heading">Quota</h3>
      {declared ? (
        <dl class="facts" data-testid="quota-values">
          {FIELDS.map(({ name, label }) => (
            <div key={name}>
              <dt>{label}</dt>
              <dd data-quota-field={name}>{String(declared[name])}</dd>
            </div>
          ))}
          <div>
            <dt>Storage</dt>
            <dd data-quota-field="storage">{desired.configuration.storageGb ?? '–'} GB</dd>
          </div>
        </dl>
      ) : (
        <p class="muted" data-testid="quota-none">
          No quota: the tenant has its dedicated cluster to itself.
        </p>
      )}
      {pending && (
        <p class="notice notice-muted" data-testid="quota-pending">
          {declared ? 'Declared, not applied yet: the update job applies it.' : 'Removed, not applied yet: the update job removes it.'}
        </p>
      )}
      {editable && (
        <form
          class="form"
          aria-label="Enterprise quota"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void send(bodyOf(form), declared ? 'Change the quota' : 'Declare the quota');
          }}
        >
          <div class="field-row">
            {FIELDS.map(({ name, label, hint }) => (
              <Field key={name} id={`quota-${name}`} label={label} error={err(name)} hint={hint}>
                <input
                  {...describedBy(`quota-${name}`, err(name), true)}
                  name={name}
                  autoComplete="off"
                  spellcheck={false}
                  inputMode={COUNTS.has(name) ? 'numeric' : 'text'}
                  value={form[name]}
                  onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })}
                />
              </Field>
            ))}
          </div>
          <div class="form-actions">
            <button type="submit" class="button button-primary" disabled={busy}>
              {declared ? 'Change the quota' : 'Declare the quota'}
            </button>
            {declared && (
              <button type="button" class="button" disabled={busy} onClick={() => void send(null, 'Remove the quota')}>
                Remove the quota
              </button>
            )}
          </div>
        </form>
      )}
      {message && (
        <p class={message.ok ? 'notice notice-ok' : 'notice notice-error'} role={message.ok ? 'status' : 'alert'} data-testid="quota-message">
          {message.text}
        </p>
      )}
    </section>
  );
}
