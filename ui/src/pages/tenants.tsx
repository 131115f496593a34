import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EmptyState, ErrorNotice, Loading } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatClock, humanize } from '../format.js';
import { usePolled, valueOf } from '../hooks.js';
import { links } from '../router.js';
import { isPlatformAdmin, useSession } from '../session.js';
import { type ProvisioningStatus, TENANT_STATUSES, TIERS, type Tenant, type TenantPage } from '../types.js';

const PAGE_SIZE = 20;
const REFRESH_MS = 2000;
/** Statuses with a job at work, whose progress the list shows. */
const WORKING = new Set(['PROVISIONING', 'DELETING', 'DEPROVISIONING']);

interface Row extends Tenant {
  progress?: ProvisioningStatus;
}

/**
 * Every tenant, newest first: filter by status and tier, search name or slug, page with the
 * API's cursors. The list refreshes every two seconds (tenants of the whole system change with
 * no one stream to follow); rows at work show their progress.
 */
export function TenantsPage() {
  const session = useSession();
  const [status, setStatus] = useState('');
  const [tier, setTier] = useState('');
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  // cursors[i] opens page i; the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const page = cursors.length - 1;

  useEffect(() => {
    const id = window.setTimeout(() => setQ(search.trim()), 300);
    return () => window.clearTimeout(id);
  }, [search]);
  useEffect(() => setCursors([undefined]), [status, tier, q]);

  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (status) query.set('status', status);
  if (tier) query.set('tier', tier);
  if (q) query.set('q', q);
  const cursor = cursors[page];
  if (cursor) query.set('cursor', cursor);
  const key = query.toString();

  const [list, reload] = usePolled(async () => {
    const result = await api<TenantPage>(`/api/v1/tenants?${key}`);
    const rows: Row[] = await Promise.all(
      result.items.map(async (t) =>
        WORKING.has(t.status) ? { ...t, progress: await api<ProvisioningStatus>(`/api/v1/tenants/${t.id}/provisioning/status`).catch(() => undefined) } : t,
      ),
    );
    return { rows, nextCursor: result.nextCursor };
  }, key, REFRESH_MS);

  const value = valueOf(list);
  const filtered = status !== '' || tier !== '' || q !== '';

  return (
    <section>
      <PageHeading title="Tenants">
        {isPlatformAdmin(session) && (
          <a class="button button-primary" href={links.create}>
            Create tenant
          </a>
        )}
      </PageHeading>

      <form class="filters" role="search" aria-label="Filter tenants" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="filter-search">Search</label>
          <input id="filter-search" type="search" placeholder="Name or slug" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">Any status</option>
            {TENANT_STATUSES.map((s) => (
              <option value={s}>{humanize(s)}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-tier">Tier</label>
          <select id="filter-tier" value={tier} onChange={(e) => setTier(e.currentTarget.value)}>
            <option value="">Any tier</option>
            {TIERS.map((t) => (
              <option value={t}>{humanize(t)}</option>
            ))}
          </select>
        </div>
      </form>

      {list.state === 'error' && <ErrorNotice error={list.error} title="Could not load the tenants" retry={reload} />}
      {list.state === 'loading' && <Loading what="tenants" />}
      {value && value.rows.length === 0 && (
        filtered ? (
          <EmptyState title="No tenants match these filters.">
            <button
              type="button"
              class="button"
              onClick={() => {
                setStatus('');
                setTier('');
                setSearch('');
              }}
            >
              Clear the filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No tenants yet.">
            {isPlatformAdmin(session) && <a href={links.create}>Create the first tenant</a>}
          </EmptyState>
        )
      )}
      {value && value.rows.length > 0 && <TenantTable rows={value.rows} />}
      {value && (
        <div class="pager">
          <button type="button" class="button" disabled={page === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
          <span>Page {page + 1}</span>
          <button
            type="button"
            class="button"
            disabled={!value.nextCursor}
            onClick={() => value.nextCursor && setCursors([...cursors, value.nextCursor])}
          >
            Next page
          </button>
          {list.state === 'ready' && (
            <span class="muted" aria-live="off">
              Updated {formatClock(list.refreshedAt)}
            </span>
          )}
        </div>
      )}
    </section>
  );
}

function TenantTable({ rows }: { rows: Row[] }) {
  return (
    <div class="table-wrap" role="region" aria-label="Tenants" tabIndex={0}>
      <table class="table" data-testid="tenant-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Slug</th>
            <th scope="col">Tier</th>
            <th scope="col">Status</th>
            <th scope="col">Region</th>
            <th scope="col">Progress</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.id} data-tenant={t.slug}>
              <td>
                <a href={links.tenant(t.id)}>{t.name}</a>
              </td>
              <td>
                <code>{t.slug}</code>
              </td>
              <td>{humanize(t.tier)}</td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>
                {t.region} <span class="muted">({t.cloudProvider})</span>
              </td>
              <td>
                {t.progress ? (
                  <ProgressBar compact value={t.progress.progress} label={`${t.name}: ${humanize(t.progress.job.kind)} progress`} />
                ) : (
                  <span class="muted">–</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
