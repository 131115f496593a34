import { useEffect } from 'preact/hooks';
import { ApiError, NetworkError, infraApi } from '../api.js';
import { formatShortTime, formatTime, humanize } from '../format.js';
import { usePolled } from '../hooks.js';
import type { Infrastructure, TransitionPage } from '../types.js';
import { ErrorNotice, Loading, Unavailable } from './notice.js';
import { QuotaPanel } from './quota-panel.js';
import { StatusBadge } from './status-badge.js';

/**
 * The tenant's TenantInfrastructure record and its transitions, from the infrastructure API
 * (another port: read cross-origin). Reloaded when `version` changes (the page bumps it on
 * every transition the WebSocket brings). A 404 or an unreachable API is said plainly.
 */
export function InfrastructurePanel({ tenantId, version }: { tenantId: string; version: number }) {
  const [loaded, reload] = usePolled(async () => {
    const base = `/api/v1/infrastructure/tenants/${tenantId}`;
    const [record, transitions] = await Promise.all([infraApi<Infrastructure>(base), infraApi<TransitionPage>(`${base}/transitions?limit=1000`)]);
    return { record, transitions: transitions.items };
  }, tenantId);
  // Refresh in place (no loading flash) when the page says something happened.
  useEffect(() => {
    if (version > 0) reload();
  }, [version]);

  return (
    <section class="card" aria-labelledby="infra-heading" data-testid="infrastructure">
      <h2 id="infra-heading">Infrastructure</h2>
      {loaded.state === 'loading' && <Loading what="the infrastructure record" />}
      {loaded.state === 'error' && <InfraError error={loaded.error} retry={reload} />}
      {loaded.state === 'ready' && <Record record={loaded.value.record} transitions={loaded.value.transitions} reload={reload} />}
    </section>
  );
}

function InfraError({ error, retry }: { error: unknown; retry: () => void }) {
  if (error instanceof ApiError && error.status === 404) {
    return (
      <Unavailable title="Not available">
        <p>The infrastructure API has no record of this tenant ({error.problem?.code ?? '404'}).</p>
      </Unavailable>
    );
  }
  if (error instanceof NetworkError) {
    return (
      <Unavailable title="Infrastructure API not available">
        <p>The dashboard could not reach {error.url}.</p>
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      </Unavailable>
    );
  }
  return <ErrorNotice error={error} title="Could not load the infrastructure record" retry={retry} />;
}

function Record({ record, transitions, reload }: { record: Infrastructure; transitions: TransitionPage['items']; reload: () => void }) {
  const desired = record.desiredState;
  const newest = [...transitions].sort((a, b) => b.seq - a.seq);
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="infra-status">
            <StatusBadge status={record.status} />
          </dd>
        </div>
        <div>
          <dt>Namespace</dt>
          <dd>
            <code>{record.namespace}</code>
          </dd>
        </div>
        <div>
          <dt>Placement</dt>
          <dd>
            {record.cloudProvider} {record.region}
          </dd>
        </div>
        <div>
          <dt>Configuration (actual)</dt>
          <dd>
            <code>{JSON.stringify(record.configuration)}</code>
          </dd>
        </div>
        <div>
          <dt>Declared</dt>
          <dd>
            {desired ? (
              <>
                {humanize(desired.tier)}, <code>{JSON.stringify(desired.configuration)}</code>
                {desired.suspended ? ', suspended' : ''}
              </>
            ) : (
              'nothing (deleted)'
            )}
          </dd>
        </div>
        <div>
          <dt>Generation</dt>
          <dd>
            {desired ? `${desired.observedGeneration} of ${desired.generation}${desired.observedGeneration === desired.generation ? ' (converged)' : ''}` : '–'}
          </dd>
        </div>
        <div>
          <dt>Last reconciled</dt>
          <dd>{formatTime(desired?.lastReconciledAt)}</dd>
        </div>
        <div>
          <dt>Working on it</dt>
          <dd>{record.currentJob ? `${humanize(record.currentJob.kind)} (${humanize(record.currentJob.status)})` : 'no job'}</dd>
        </div>
        {record.terraformStateKey && (
          <div>
            <dt>Terraform state</dt>
            <dd>
              <code>{record.terraformStateKey}</code>
            </dd>
          </div>
        )}
      </dl>
      <QuotaPanel record={record} onChanged={reload} />
      <h3>Transitions</h3>
      {newest.length === 0 ? (
        <p class="muted">No transitions yet.</p>
      ) : (
        <div class="table-wrap" role="region" aria-label="Infrastructure transitions" tabIndex={0}>
          <table class="table" data-testid="infra-transitions">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">Trigger</th>
              </tr>
            </thead>
            <tbody>
              {newest.map((t) => (
                <tr key={t.id}>
                  <td>
                    <time dateTime={t.timestamp}>{formatShortTime(t.timestamp)}</time>
                  </td>
                  <td>{t.fromState ? humanize(t.fromState) : '–'}</td>
                  <td>{humanize(t.toState)}</td>
                  <td>
                    <code>{t.trigger}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
