import type { ComponentChildren } from 'preact';
import { ApiError, NetworkError, api, infraApi } from '../api.js';
import { EmptyState, ErrorNotice, Loading, Unavailable } from '../components/notice.js';
import { PageHeading } from '../components/page-heading.js';
import { StatusBadge } from '../components/status-badge.js';
import { formatClock, formatDuration, formatTime, humanize } from '../format.js';
import { type Loadable, usePolled } from '../hooks.js';
import { links } from '../router.js';
import { isPlatformAdmin, useSession } from '../session.js';
import type { Readiness, ReconcilerStatus, SweepSummary, SystemStatus } from '../types.js';

const REFRESH_MS = 5000;

/**
 * The control plane itself: readiness, the reconciler (infrastructure API) and its recent drift
 * findings, the outbox backlog, jobs, and the workers holding leases. Refreshed every 5 s.
 */
export function HealthPage() {
  const session = useSession();
  if (!isPlatformAdmin(session)) {
    return (
      <section>
        <PageHeading title="Health" />
        <p class="notice notice-muted">The health of the control plane is for platform admins.</p>
      </section>
    );
  }
  return <HealthPanels />;
}

function HealthPanels() {
  const [ready, reloadReady] = usePolled(() => readiness(), 'ready', REFRESH_MS);
  const [reconciler, reloadReconciler] = usePolled(() => infraApi<ReconcilerStatus>('/api/v1/infrastructure/reconciler'), 'reconciler', REFRESH_MS);
  const [system, reloadSystem] = usePolled(() => api<SystemStatus>('/api/v1/system/status'), 'system', REFRESH_MS);

  return (
    <section data-testid="health-page">
      <PageHeading title="Health" />
      <div class="columns">
        <section class="card" aria-labelledby="ready-heading">
          <h2 id="ready-heading">Service</h2>
          <Panel loaded={ready} what="readiness" retry={reloadReady}>
            {(r) => (
              <dl class="facts">
                <div>
                  <dt>Readiness</dt>
                  <dd>
                    <StatusBadge status={r.status === 'UP' ? 'ACTIVE' : 'FAILED'} label={r.status} />
                  </dd>
                </div>
                <div>
                  <dt>Database</dt>
                  <dd>{r.database}</dd>
                </div>
                <div>
                  <dt>Migrations</dt>
                  <dd>{r.migrations}</dd>
                </div>
              </dl>
            )}
          </Panel>
        </section>

        <section class="card" aria-labelledby="reconciler-heading" data-testid="reconciler">
          <h2 id="reconciler-heading">Reconciler</h2>
          <Panel loaded={reconciler} what="the reconciler status" retry={reloadReconciler} unavailable="Reconciler not available">
            {(r) => <Reconciler status={r} />}
          </Panel>
        </section>
      </div>

      <Panel loaded={system} what="jobs, outbox and workers" retry={reloadSystem} unavailable="System status not available">
        {(s) => <System status={s} />}
      </Panel>
    </section>
  );
}

async function readiness(): Promise<Readiness> {
  // /ready answers 503 with the same document when something is down: show it, not an error.
  const response = await fetch('/ready', { cache: 'no-store' });
  return (await response.json()) as Readiness;
}

/** Loading, error (a 404 or unreachable API: "not available"), or the content, with its age. */
function Panel<T>({ loaded, what, retry, unavailable, children }: { loaded: Loadable<T>; what: string; retry: () => void; unavailable?: string; children: (value: T) => ComponentChildren }) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') {
    const { error } = loaded;
    if (unavailable && ((error instanceof ApiError && error.status === 404) || error instanceof NetworkError)) {
      return (
        <Unavailable title={unavailable}>
          <p>{error instanceof ApiError ? `This service answers 404 (${error.problem?.code ?? 'not found'}): it does not offer it.` : `${error.message}.`}</p>
        </Unavailable>
      );
    }
    return <ErrorNotice error={error} title={`Could not load ${what}`} retry={retry} />;
  }
  return (
    <>
      {children(loaded.value)}
      <p class="muted small">Updated {formatClock(loaded.refreshedAt)}</p>
    </>
  );
}

function Reconciler({ status }: { status: ReconcilerStatus }) {
  return (
    <>
      <dl class="facts">
        <div>
          <dt>Loop</dt>
          <dd>
            <StatusBadge status={status.running ? 'ACTIVE' : 'SUSPENDED'} label={status.running ? (status.sweeping ? 'Sweeping now' : 'Running') : 'Stopped'} />
          </dd>
        </div>
        <div>
          <dt>Interval</dt>
          <dd>{status.intervalSeconds > 0 ? formatDuration(status.intervalSeconds * 1000) : 'no periodic sweep'}</dd>
        </div>
        <div>
          <dt>Next sweep</dt>
          <dd>{formatTime(status.nextSweepAt)}</dd>
        </div>
        <div>
          <dt>Open repairs</dt>
          <dd>
            {status.openReconcileJobs} (at most {status.maxJobs})
          </dd>
        </div>
        <div>
          <dt>This replica</dt>
          <dd>
            <code>{status.owner}</code>
          </dd>
        </div>
      </dl>
      <h3>Last full sweep</h3>
      {status.lastSweep ? <Sweep sweep={status.lastSweep} /> : <p class="muted">No full sweep yet.</p>}
    </>
  );
}

function Sweep({ sweep }: { sweep: SweepSummary }) {
  return (
    <p>
      {formatTime(sweep.finishedAt)}, {formatDuration(sweep.durationMs)}: {sweep.tenantsChecked} checked, {sweep.clean} clean, {sweep.drifted} drifted,{' '}
      {sweep.jobsQueued} repairs queued, {sweep.deferred} deferred, {sweep.errors} errors{sweep.skipped ? ` (${sweep.skipped})` : ''}.
    </p>
  );
}

function System({ status }: { status: SystemStatus }) {
  const jobs = Object.entries(status.jobs.byStatus).sort(([a], [b]) => a.localeCompare(b));
  const { outbox } = status;
  return (
    <>
      <div class="columns">
        <section class="card" aria-labelledby="outbox-heading" data-testid="outbox">
          <h2 id="outbox-heading">Outbox</h2>
          {outbox.failing > 0 && (
            <p class="notice notice-error" role="alert">
              {outbox.failing} event{outbox.failing === 1 ? '' : 's'} failed delivery: a sink is down or refusing them.
            </p>
          )}
          <dl class="facts">
            <div>
              <dt>Undelivered events</dt>
              <dd data-testid="outbox-undelivered">{outbox.undelivered}</dd>
            </div>
            <div>
              <dt>Failing</dt>
              <dd>{outbox.failing}</dd>
            </div>
            <div>
              <dt>Oldest undelivered</dt>
              <dd>{outbox.oldestAgeSeconds === null ? 'none' : formatDuration(outbox.oldestAgeSeconds * 1000)}</dd>
            </div>
          </dl>
        </section>
        <section class="card" aria-labelledby="jobs-heading">
          <h2 id="jobs-heading">Jobs</h2>
          {jobs.length === 0 ? (
            <p class="muted">No jobs yet.</p>
          ) : (
            <dl class="facts">
              {jobs.map(([s, n]) => (
                <div key={s}>
                  <dt>{humanize(s)}</dt>
                  <dd>{n}</dd>
                </div>
              ))}
              <div>
                <dt>Waiting for a retry</dt>
                <dd>{status.jobs.waitingForRetry}</dd>
              </div>
            </dl>
          )}
        </section>
      </div>

      <section class="card" aria-labelledby="workers-heading" data-testid="workers">
        <h2 id="workers-heading">Workers and leases</h2>
        {status.leases.length === 0 ? (
          <EmptyState title="No job is claimed right now.">
            <p class="muted">Workers show here while they hold a job's lease.</p>
          </EmptyState>
        ) : (
          <div class="table-wrap" role="region" aria-label="Leases" tabIndex={0}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Job</th>
                  <th scope="col">Step</th>
                  <th scope="col">Lease until</th>
                </tr>
              </thead>
              <tbody>
                {status.leases.map((l) => (
                  <tr key={l.jobId} class={l.expired ? 'row-warn' : undefined}>
                    <td>
                      <code>{l.leaseOwner}</code>
                    </td>
                    <td>
                      <a href={links.tenant(l.tenantId)}>{l.slug ?? l.tenantId}</a>
                    </td>
                    <td>
                      {humanize(l.kind)} <StatusBadge status={l.status} />
                    </td>
                    <td>{l.currentStep ? <code>{l.currentStep}</code> : '–'}</td>
                    <td>
                      {formatClock(l.leaseUntil)}
                      {l.expired && <strong> expired</strong>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p class="muted small">
          {status.workers.length} worker{status.workers.length === 1 ? '' : 's'} holding leases.
        </p>
      </section>

      <section class="card" aria-labelledby="drift-heading" data-testid="drift">
        <h2 id="drift-heading">Recent drift</h2>
        {status.recentDrift.length === 0 ? (
          <EmptyState title="No drift found recently.">
            <p class="muted">When the reconciler finds a tenant differing from its declaration, it shows here.</p>
          </EmptyState>
        ) : (
          <ul class="timeline">
            {status.recentDrift.map((d) => (
              <li key={`${d.tenantId}-${d.seq}`} class="timeline-item">
                <div class="timeline-head">
                  <a href={links.tenant(d.tenantId)}>{d.slug ?? d.tenantId}</a>
                  <span class="muted">{formatTime(d.createdAt)}</span>
                </div>
                <ul>
                  {d.differences.map((text) => (
                    <li>{text}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
