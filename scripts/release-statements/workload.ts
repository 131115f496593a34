/**
 * The representative workload capture.ts drives through a running service's HTTP APIs while the
 * SQL it sends is recorded: every kind of operation a release runs against its database, so that
 * the statements recorded are the ones the next release's schema must keep serving. Talks HTTP
 * only (and one WebSocket), like any client: whatever SQL is recorded was sent by the service.
 *
 * Two phases, each on its own service process (so starts, housekeeping and the resumption of work
 * are recorded twice over): `main` (tenants of three tiers provisioned while a progress stream
 * watches, reads, settings, features, API keys, tokens, revocation, refused credentials, a signing
 * key rotation, update, tier change, suspend, reactivate, drift repaired by the reconciler, the
 * infrastructure API, a deletion with a wrong and a right code) and `faults` (a provisioning whose
 * step fails once and is retried, then fails for good and is rolled back).
 */
import WebSocket from 'ws';

export interface Service {
  tenantUrl: string;
  infraUrl: string;
  token: string;
}

export class WorkloadFailure extends Error {}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function call(url: string, method: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const all: Record<string, string> = { ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  if (body !== undefined) all['content-type'] = 'application/json';
  const res = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (metrics, a PEM): kept as text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A request whose answer must be one of `expected`: the workload is only worth its coverage if each step did what it says. */
async function expectStatus(what: string, answer: Promise<Answer>, expected: readonly number[]): Promise<Answer> {
  const result = await answer;
  if (!expected.includes(result.status)) throw new WorkloadFailure(`${what}: answered ${result.status}, expected ${expected.join(' or ')}: ${JSON.stringify(result.body)}`);
  return result;
}

/**
 * A lifecycle request, asked again while another job of the tenant is in flight (a feature change
 * or the reconciler's repair may have started one): the workload wants the operation, not the race.
 */
async function whenIdle(what: string, request: () => Promise<Answer>, expected: readonly number[]): Promise<Answer> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const result = await request();
    if (result.status !== 409 || field<string>(result.body, 'code') !== 'job_in_flight' || Date.now() > deadline) return expectStatus(what, Promise.resolve(result), expected);
    await sleep(200);
  }
}

function field<T>(value: unknown, ...path: string[]): T {
  let at: unknown = value;
  for (const key of path) at = (at as Record<string, unknown> | undefined)?.[key];
  return at as T;
}

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new WorkloadFailure(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

let counter = 0;
function tenantBody(tier: string): Record<string, unknown> {
  counter += 1;
  const n = `${Date.now().toString(36)}${counter}`;
  return { name: `Capture ${n}`, slug: `capture-${n}`, tier, adminEmail: `admin-${n}@capture.example.com`, cloudProvider: 'AZURE', region: 'eastus' };
}

/** Waits until the tenant's status is `status` and its last job has ended as `job`. */
async function settled(s: Service, id: string, status: string, job = 'SUCCEEDED', timeoutMs = 120_000): Promise<void> {
  await until(`tenant ${id} ${status} with its job ${job}`, timeoutMs, async () => {
    const res = await call(`${s.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, 'GET', s.token);
    if (res.status !== 200) return undefined;
    return field<string>(res.body, 'status') === status && field<string>(res.body, 'job', 'status') === job ? true : undefined;
  });
}

/** A progress stream on the tenant until it is closed: the LISTEN session and the feed's reads. */
function watch(s: Service, id: string): { close(): void; messages(): number } {
  let received = 0;
  const socket = new WebSocket(`${s.tenantUrl.replace(/^http/, 'ws')}/ws/provisioning/${id}`, { headers: { authorization: `Bearer ${s.token}` } });
  socket.on('message', () => (received += 1));
  socket.on('error', () => undefined);
  return {
    close: () => socket.close(),
    messages: () => received,
  };
}

export async function mainPhase(s: Service, log: (line: string) => void): Promise<void> {
  const t = s.tenantUrl;
  const i = s.infraUrl;
  await expectStatus('GET /health', call(`${t}/health`, 'GET', undefined), [200]);
  await expectStatus('GET /metrics', call(`${t}/metrics`, 'GET', s.token), [200]);
  await expectStatus('GET /api/v1/system/status', call(`${t}/api/v1/system/status`, 'GET', s.token), [200]);

  const created: { id: string; initialApiKey: { key: string } }[] = [];
  for (const tier of ['PROFESSIONAL', 'FREE', 'ENTERPRISE']) {
    const res = await expectStatus(`create a ${tier} tenant`, call(`${t}/api/v1/tenants`, 'POST', s.token, tenantBody(tier)), [201]);
    created.push(res.body as (typeof created)[number]);
  }
  const [pro, free, enterprise] = created as [(typeof created)[number], (typeof created)[number], (typeof created)[number]];
  const stream = watch(s, pro.id);
  for (const tenant of created) await settled(s, tenant.id, 'ACTIVE');
  log(`three tenants ACTIVE (the progress stream saw ${stream.messages()} messages)`);

  // Reads, every list with its filters and a second page.
  await expectStatus('list tenants', call(`${t}/api/v1/tenants?limit=1`, 'GET', s.token), [200]).then(async (page) => {
    const cursor = field<string | undefined>(page.body, 'nextCursor');
    if (cursor) await expectStatus('list tenants, page 2', call(`${t}/api/v1/tenants?limit=1&cursor=${encodeURIComponent(cursor)}`, 'GET', s.token), [200]);
  });
  await expectStatus('list tenants by status and tier', call(`${t}/api/v1/tenants?status=active&tier=professional&q=capture`, 'GET', s.token), [200]);
  for (const path of ['', '/provisioning/status', '/provisioning/history', '/users', '/roles', '/settings', '/features', '/api-keys']) {
    await expectStatus(`GET tenant${path}`, call(`${t}/api/v1/tenants/${pro.id}${path}`, 'GET', s.token), [200]);
  }
  const audit = await expectStatus('audit page 1', call(`${t}/api/v1/tenants/${pro.id}/audit?limit=2`, 'GET', s.token), [200]);
  const auditCursor = field<number | null>(audit.body, 'nextCursor');
  if (auditCursor !== null) await expectStatus('audit page 2', call(`${t}/api/v1/tenants/${pro.id}/audit?limit=2&after=${auditCursor}`, 'GET', s.token), [200]);
  await expectStatus('audit by time', call(`${t}/api/v1/tenants/${pro.id}/audit?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z`, 'GET', s.token), [200]);
  await expectStatus('GET the CA', call(`${t}/api/v1/tls/ca.pem`, 'GET', undefined), [200]);
  await expectStatus('GET sim objects', call(`${t}/api/v1/sim/objects?kind=HelmRelease`, 'GET', s.token), [200]);

  // Settings and features, with and without If-Match.
  const settings = await expectStatus('GET settings', call(`${t}/api/v1/tenants/${pro.id}/settings`, 'GET', s.token), [200]);
  await expectStatus('PATCH settings', call(`${t}/api/v1/tenants/${pro.id}/settings`, 'PATCH', s.token, { timezone: 'Europe/Paris' }, { 'if-match': settings.headers.get('etag') ?? '' }), [200]);
  await expectStatus('PATCH settings, stale', call(`${t}/api/v1/tenants/${pro.id}/settings`, 'PATCH', s.token, { locale: 'fr-FR' }, { 'if-match': '"1"' }), [412]);
  await expectStatus('PATCH features', call(`${t}/api/v1/tenants/${pro.id}/features`, 'PATCH', s.token, { 'ai.chat': false }), [200]);
  await expectStatus('PATCH features back', call(`${t}/api/v1/tenants/${pro.id}/features`, 'PATCH', s.token, { 'ai.chat': null }), [200]);

  // API keys, tokens and their revocation, refused credentials.
  const tenantKey = await expectStatus('create a tenant key', call(`${t}/api/v1/tenants/${pro.id}/api-keys`, 'POST', s.token, { name: 'capture', role: 'Analyst', scopes: ['read'], expiresInDays: 30 }), [201]);
  const platformKey = await expectStatus('create a platform key', call(`${t}/api/v1/api-keys`, 'POST', s.token, { name: 'capture-ci' }), [201]);
  await expectStatus('list platform keys', call(`${t}/api/v1/api-keys`, 'GET', s.token), [200]);
  const exchanged = await expectStatus('exchange a key', call(`${t}/api/v1/auth/token`, 'POST', undefined, { apiKey: pro.initialApiKey.key }), [200]);
  const jwt = field<string>(exchanged.body, 'accessToken');
  await expectStatus('whoami with a JWT', call(`${t}/api/v1/auth/whoami`, 'GET', jwt), [200]);
  await expectStatus('a tenant read with a JWT', call(`${t}/api/v1/tenants/${pro.id}`, 'GET', jwt), [200]);
  await expectStatus('whoami with an API key', call(`${t}/api/v1/auth/whoami`, 'GET', field<string>(platformKey.body, 'key')), [200]);
  await expectStatus('revoke the JWT', call(`${t}/api/v1/auth/revoke`, 'POST', jwt, {}), [200, 204]);
  await expectStatus('the revoked JWT', call(`${t}/api/v1/auth/whoami`, 'GET', jwt), [401]);
  await expectStatus('a wrong key', call(`${t}/api/v1/auth/token`, 'POST', undefined, { apiKey: 'mtk_00000000-0000-0000-0000-000000000000_wrong' }), [401, 400]);
  await expectStatus('a wrong bearer', call(`${t}/api/v1/auth/whoami`, 'GET', 'not-a-credential-at-all'), [401]);
  await expectStatus('rotate the signing key', call(`${t}/api/v1/auth/signing-keys/rotate`, 'POST', s.token, {}), [200]);
  const afterRotation = await expectStatus('exchange after rotation', call(`${t}/api/v1/auth/token`, 'POST', undefined, { apiKey: pro.initialApiKey.key }), [200]);
  await expectStatus('whoami after rotation', call(`${t}/api/v1/auth/whoami`, 'GET', field<string>(afterRotation.body, 'accessToken')), [200]);
  await expectStatus('delete the tenant key', call(`${t}/api/v1/tenants/${pro.id}/api-keys/${field<string>(tenantKey.body, 'id')}`, 'DELETE', s.token), [200, 204]);
  await expectStatus('delete the platform key', call(`${t}/api/v1/api-keys/${field<string>(platformKey.body, 'id')}`, 'DELETE', s.token), [200, 204]);

  // Lifecycle: configuration update, tier change, suspend (the stream ends) and reactivate.
  await whenIdle('update the configuration', () => call(`${t}/api/v1/tenants/${pro.id}`, 'PATCH', s.token, { configuration: { storageGb: 200 } }), [200, 202]);
  await settled(s, pro.id, 'ACTIVE');
  await whenIdle('change the tier', () => call(`${t}/api/v1/tenants/${free.id}`, 'PATCH', s.token, { tier: 'PROFESSIONAL' }), [202]);
  await settled(s, free.id, 'ACTIVE');
  await whenIdle('suspend', () => call(`${t}/api/v1/tenants/${pro.id}/suspend`, 'POST', s.token, { reason: 'capture' }), [202]);
  await settled(s, pro.id, 'SUSPENDED');
  await expectStatus('a suspended tenant key', call(`${t}/api/v1/auth/whoami`, 'GET', pro.initialApiKey.key), [401]);
  await whenIdle('reactivate', () => call(`${t}/api/v1/tenants/${pro.id}/reactivate`, 'POST', s.token, {}), [202]);
  await settled(s, pro.id, 'ACTIVE');
  stream.close();
  log('update, tier change, suspend and reactivate done');

  // Drift: an object of the tenant's removed behind the control plane's back; the sweep repairs it.
  const objects = await expectStatus('list the tenant objects', call(`${t}/api/v1/sim/objects?kind=HelmRelease`, 'GET', s.token), [200]);
  const victim = field<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[]>(objects.body, 'items')[0];
  if (!victim) throw new WorkloadFailure('no HelmRelease in the simulated cluster to remove');
  const ref = new URLSearchParams({ apiVersion: victim.apiVersion, kind: victim.kind, name: victim.metadata.name, namespace: victim.metadata.namespace ?? '' });
  await expectStatus('remove an object', call(`${t}/api/v1/sim/objects?${ref.toString()}`, 'DELETE', s.token), [200, 204]);
  await until('the reconciler to repair the drift', 120_000, async () => {
    const list = await call(`${t}/api/v1/sim/objects?kind=HelmRelease&namespace=${encodeURIComponent(victim.metadata.namespace ?? '')}`, 'GET', s.token);
    const back = field<{ metadata: { name: string } }[]>(list.body, 'items').some((o) => o.metadata.name === victim.metadata.name);
    return back ? true : undefined;
  });
  await expectStatus('GET the reconciler', call(`${i}/api/v1/infrastructure/reconciler`, 'GET', s.token), [200]);
  log('drift repaired');

  // The infrastructure API (spec/000): record, transitions, update, deprovision, provision again.
  const infra = `${i}/api/v1/infrastructure/tenants/${enterprise.id}`;
  await expectStatus('GET the infrastructure', call(infra, 'GET', s.token), [200]);
  await expectStatus('GET transitions', call(`${infra}/transitions?limit=2`, 'GET', s.token), [200]);
  await whenIdle('PUT the infrastructure', () => call(infra, 'PUT', s.token, { configuration: { storageGb: 300 } }), [200, 202]);
  await settled(s, enterprise.id, 'ACTIVE');
  await whenIdle('DELETE the infrastructure', () => call(infra, 'DELETE', s.token), [202]);
  await until('the infrastructure to be deprovisioned', 120_000, async () => {
    const res = await call(infra, 'GET', s.token);
    return field<string>(res.body, 'status') === 'DEPROVISIONED' ? true : undefined;
  });
  await whenIdle('POST provision', () => call(`${infra}/provision`, 'POST', s.token, { tier: 'enterprise', region: 'eastus', cloudProvider: 'AZURE' }), [202]);
  await settled(s, enterprise.id, 'ACTIVE');
  log('infrastructure API done');

  // Deletion: a wrong code, then the right one; the tombstone stays readable.
  const request = await whenIdle('request a deletion', () => call(`${t}/api/v1/tenants/${free.id}/deletion-requests`, 'POST', s.token, {}), [201]);
  await expectStatus('delete with a wrong code', call(`${t}/api/v1/tenants/${free.id}`, 'DELETE', s.token, { confirmationCode: 'wrong-code' }), [400, 403, 409, 422]);
  await whenIdle('delete', () => call(`${t}/api/v1/tenants/${free.id}`, 'DELETE', s.token, { confirmationCode: field<string>(request.body, 'confirmationCode') }), [202]);
  await settled(s, free.id, 'DELETED');
  await expectStatus('read the tombstone', call(`${t}/api/v1/tenants/${free.id}/provisioning/history`, 'GET', s.token), [200]);
  log('deletion done');
}

/** Run with MATIH_SIM_FAULTS=DEPLOY_MONITORING=retryable:1,SETUP_OBSERVABILITY=permanent: a retry, then a failure rolled back. */
export async function faultsPhase(s: Service, log: (line: string) => void): Promise<void> {
  const res = await expectStatus('create a tenant that fails', call(`${s.tenantUrl}/api/v1/tenants`, 'POST', s.token, tenantBody('PROFESSIONAL')), [201]);
  const id = field<string>(res.body, 'id');
  await settled(s, id, 'FAILED', 'FAILED');
  await expectStatus('GET the failed status', call(`${s.tenantUrl}/api/v1/tenants/${id}/provisioning/status`, 'GET', s.token), [200]);
  log('a provisioning retried, failed and rolled back');
}
