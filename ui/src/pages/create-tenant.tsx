import { useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { CopyButton } from '../components/copy-button.js';
import { Field, describedBy } from '../components/field.js';
import { ErrorNotice } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { humanize } from '../format.js';
import { links, navigate } from '../router.js';
import { isPlatformAdmin, useSession } from '../session.js';
import { CLOUD_PROVIDERS, type CreatedTenant, DEFAULT_REGION, TIERS } from '../types.js';

const FIELDS = ['name', 'slug', 'tier', 'adminEmail', 'cloudProvider', 'region'] as const;
type FieldName = (typeof FIELDS)[number];
type Form = Record<FieldName, string>;

const EMPTY: Form = { name: '', slug: '', tier: 'PROFESSIONAL', adminEmail: '', cloudProvider: 'AZURE', region: '' };

/**
 * Creates a tenant. The API does the validating: its message for each field is shown next to
 * the field (and any it names that the form has not, above the form). After creation the tenant
 * admin's API key is shown this once, then the tenant's page.
 */
export function CreateTenantPage() {
  const session = useSession();
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedTenant | undefined>();
  const formRef = useRef<HTMLFormElement>(null);

  if (!isPlatformAdmin(session)) {
    return (
      <section>
        <PageHeading title="Create a tenant" />
        <p class="notice notice-muted">Only a platform admin creates tenants.</p>
      </section>
    );
  }
  if (created) return <CreatedKey tenant={created} />;

  const set = (field: FieldName) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [field]: e.currentTarget.value });

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    const body: Record<string, string> = { name: form.name, slug: form.slug, tier: form.tier, adminEmail: form.adminEmail, cloudProvider: form.cloudProvider };
    if (form.region.trim() !== '') body.region = form.region.trim();
    try {
      setCreated(await api<CreatedTenant>('/api/v1/tenants', { method: 'POST', body }));
    } catch (error) {
      const fields = error instanceof ApiError ? error.fieldErrors() : new Map<string, string>();
      setErrors(fields);
      const unplaced = [...fields.keys()].filter((f) => !(FIELDS as readonly string[]).includes(f));
      if (fields.size === 0 || unplaced.length > 0) setFailure(error);
      // Take the keyboard to the first field to fix.
      const first = FIELDS.find((f) => fields.has(f));
      window.setTimeout(() => (first ? formRef.current?.querySelector<HTMLElement>(`#tenant-${first}`)?.focus() : undefined), 0);
    } finally {
      setBusy(false);
    }
  };

  const err = (f: FieldName) => errors.get(f);
  return (
    <section>
      <PageHeading title="Create a tenant" />
      {failure !== undefined && <ErrorNotice error={failure} title="The tenant was not created" />}
      {errors.size > 0 && (
        <p class="notice notice-error" role="alert">
          The service refused the tenant: {errors.size === 1 ? 'one field needs' : `${errors.size} fields need`} fixing.
        </p>
      )}
      <form ref={formRef} class="card form" onSubmit={(e) => void submit(e)} noValidate aria-label="New tenant">
        <Field id="tenant-name" label="Name" error={err('name')}>
          <input {...describedBy('tenant-name', err('name'))} name="name" autoComplete="organization" value={form.name} onInput={set('name')} />
        </Field>
        <Field id="tenant-slug" label="Slug" error={err('slug')} hint="3 to 40 lowercase letters, digits and hyphens; the tenant's host name and namespace.">
          <input {...describedBy('tenant-slug', err('slug'), true)} name="slug" autoComplete="off" spellcheck={false} value={form.slug} onInput={set('slug')} />
        </Field>
        <Field id="tenant-tier" label="Tier" error={err('tier')}>
          <select {...describedBy('tenant-tier', err('tier'))} name="tier" value={form.tier} onChange={set('tier')}>
            {TIERS.map((t) => (
              <option value={t}>{humanize(t)}</option>
            ))}
          </select>
        </Field>
        <Field id="tenant-adminEmail" label="Admin email" error={err('adminEmail')}>
          <input {...describedBy('tenant-adminEmail', err('adminEmail'))} name="adminEmail" type="email" autoComplete="email" value={form.adminEmail} onInput={set('adminEmail')} />
        </Field>
        <Field id="tenant-cloudProvider" label="Cloud provider" error={err('cloudProvider')}>
          <select {...describedBy('tenant-cloudProvider', err('cloudProvider'))} name="cloudProvider" value={form.cloudProvider} onChange={set('cloudProvider')}>
            {CLOUD_PROVIDERS.map((p) => (
              <option value={p}>{p}</option>
            ))}
          </select>
        </Field>
        <Field id="tenant-region" label="Region" error={err('region')} hint={`Leave empty for the provider's default (${DEFAULT_REGION[form.cloudProvider] ?? '–'}).`}>
          <input {...describedBy('tenant-region', err('region'), true)} name="region" autoComplete="off" spellcheck={false} value={form.region} onInput={set('region')} />
        </Field>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create tenant'}
          </button>
          <a class="button" href={links.tenants}>
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

function CreatedKey({ tenant }: { tenant: CreatedTenant }) {
  return (
    <section>
      <PageHeading title={`Tenant ${tenant.name} created`} />
      <div class="card" data-testid="api-key-panel">
        <p>
          Provisioning has started. This is the tenant admin's API key (role {tenant.initialApiKey.role}).{' '}
          <strong>It is shown this once and never again: store it now.</strong>
        </p>
        <div class="secret">
          <code id="initial-api-key" data-testid="initial-api-key">
            {tenant.initialApiKey.key}
          </code>
          <CopyButton text={tenant.initialApiKey.key} label="Copy the API key" />
        </div>
        <button type="button" class="button button-primary" onClick={() => navigate(links.tenant(tenant.id))}>
          I have stored it: go to the tenant
        </button>
      </div>
    </section>
  );
}
