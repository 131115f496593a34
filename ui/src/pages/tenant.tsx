import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { ApiKeysPanel } from '../components/api-keys-panel.js';
import { AuditTimeline } from '../components/audit-timeline.js';
import { InfrastructurePanel } from '../components/infrastructure-panel.js';
import { ErrorNotice, Loading } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { ProvisioningView } from '../components/provisioning-view.js';
import { StatusBadge } from '../components/status-badge.js';
import { TenantActions } from '../components/tenant-actions.js';
import { formatTime, humanize } from '../format.js';
import { useNow, usePolled, valueOf } from '../hooks.js';
import { type LinkState, followProvisioning } from '../live.js';
import { links } from '../router.js';
import { isPlatformAdmin, useSession } from '../session.js';
import { type AuditEntry, type AuditPage, type ProvisioningStatus, type Tenant, isTenantStatus } from '../types.js';

/** Pages of history read at load (500 each); the WebSocket brings everything after. */
const MAX_HISTORY_PAGES = 10;

/**
 * One tenant: its record, the live view of its current job, what may be done to it, its
 * history and its infrastructure. The WebSocket drives everything after the first load.
 */
export function TenantPage({ id }: { id: string }) {
  const session = useSession();
  const now = useNow(1000);
  const [loaded, reloadTenant] = usePolled(() => api<Tenant>(`/api/v1/tenants/${id}`), id);
  const [status, setStatus] = useState<ProvisioningStatus | undefined>();
  const [link, setLink] = useState<LinkState>({ kind: 'connecting' });
  const [history, setHistory] = useState<ReadonlyMap<number, AuditEntry>>(new Map());
  const [historyError, setHistoryError] = useState<unknown>();
  const [infraVersion, setInfraVersion] = useState(0);
  const lastTenantStatus = useRef<string | undefined>(undefined);
  const bump = useRef<number | undefined>(undefined);

  // The history first, then the stream from just after it: one sequence, nothing missed between
  // the two reads (the stream dedupes nothing it need not: it starts where the history ended).
  useEffect(() => {
    let cancelled = false;
    let stop: (() => void) | undefined;
    const merge = (entries: readonly AuditEntry[]) =>
      setHistory((old) => {
        const next = new Map(old);
        for (const e of entries) next.set(e.seq, e);
        return next;
      });
    void (async () => {
      let after: number | undefined;
      try {
        let cursor = 0;
        for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
          const result = await api<AuditPage>(`/api/v1/tenants/${id}/audit?limit=500&after=${cursor}`);
          merge(result.items);
          cursor = result.items.at(-1)?.seq ?? cursor;
          if (result.nextCursor === null) break;
        }
        after = cursor;
      } catch (error) {
        // Live updates still work; the history says it could not be read.
        setHistoryError(error);
      }
      if (cancelled) return;
      stop = followProvisioning(
        id,
        session.token,
        {
          status: setStatus,
          transition: (entry) => {
            merge([entry]);
            // At most one infrastructure reload a second, however many transitions arrive.
            bump.current ??= window.setTimeout(() => {
              bump.current = undefined;
              setInfraVersion((v) => v + 1);
            }, 1000);
          },
          link: (state) => {
            setLink(state);
            if (state.kind === 'refused' && state.code === 4401) session.signOut('Signed out: the service refused the token for live updates.');
          },
        },
        after,
      );
    })();
    return () => {
      cancelled = true;
      stop?.();
      if (bump.current !== undefined) window.clearTimeout(bump.current);
      bump.current = undefined;
    };
  }, [id, session]);

  // The record changes with the tenant's status (ACTIVE, SUSPENDED...): read it again then.
  useEffect(() => {
    if (!status) return;
    if (lastTenantStatus.current !== undefined && lastTenantStatus.current !== status.status) reloadTenant();
    lastTenantStatus.current = status.status;
  }, [status?.status]);

  const tenant = valueOf(loaded);
  if (loaded.state === 'loading') return <Loading what="the tenant" />;
  if (!tenant) {
    const missing = loaded.state === 'error' && loaded.error instanceof ApiError && loaded.error.status === 404;
    return (
      <section>
        <PageHeading title={missing ? 'No such tenant' : 'Tenant'} />
        {missing ? (
          <p>
            There is no tenant <code>{id}</code>, or it is not yours to see. <a href={links.tenants}>Back to the tenants</a>.
          </p>
        ) : (
          <ErrorNotice error={loaded.state === 'error' ? loaded.error : undefined} title="Could not load the tenant" retry={reloadTenant} />
        )}
      </section>
    );
  }

  // The stream's status is newer than the record between two reads of it.
  // (The status document types it as any string, the tenant record as one of TENANT_STATUSES.)
  const streamed = status?.status;
  const shownStatus = streamed !== undefined && isTenantStatus(streamed) ? streamed : tenant.status;
  return (
    <section data-testid="tenant-page">
      <PageHeading title={tenant.name}>
        <p class="tenant-status">
          Status <StatusBadge status={shownStatus} />
        </p>
      </PageHeading>
      <p>
        <a href={links.tenants}>← All tenants</a>
      </p>
      {loaded.state === 'error' && <ErrorNotice error={loaded.error} title="Could not refresh the tenant" retry={reloadTenant} />}

      <dl class="facts card">
        <div>
          <dt>Slug</dt>
          <dd>
            <code>{tenant.slug}</code>
          </dd>
        </div>
        <div>
          <dt>Tier</dt>
          <dd>{humanize(tenant.tier)}</dd>
        </div>
        <div>
          <dt>Placement</dt>
          <dd>
            {tenant.cloudProvider} {tenant.region}
          </dd>
        </div>
        <div>
          <dt>Admin</dt>
          <dd>{tenant.adminEmail}</dd>
        </div>
        <div>
          <dt>Namespace</dt>
          <dd>{tenant.kubernetesNamespace ? <code>{tenant.kubernetesNamespace}</code> : '–'}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(tenant.createdAt)}</dd>
        </div>
        <div>
          <dt>Provisioned</dt>
          <dd>{formatTime(tenant.provisioningCompletedAt)}</dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd>
            <code>{tenant.id}</code>
          </dd>
        </div>
      </dl>

      {status ? <ProvisioningView status={status} link={link} now={now} /> : <Loading what="the provisioning status" />}
      <TenantActions tenant={{ ...tenant, status: shownStatus }} status={status} onChanged={reloadTenant} />
      {/* Keys are managed by platform admins and the tenant's Admins; a deleted tenant has none. */}
      {(isPlatformAdmin(session) || session.who.role === 'Admin') && tenant.status !== 'DELETED' && <ApiKeysPanel path={`/api/v1/tenants/${id}/api-keys`} tenant id="tenant-keys" />}
      <div class="columns">
        {historyError !== undefined ? <ErrorNotice error={historyError} title="Could not load the history" /> : <AuditTimeline entries={[...history.values()]} />}
        <InfrastructurePanel tenantId={id} version={infraVersion} />
      </div>
    </section>
  );
}
