import { render } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, forgetToken, storeToken, storedToken, whenUnauthorized } from './api.js';
import { Loading } from './components/notice.js';
import { ApiKeysPage } from './pages/api-keys.js';
import { CreateTenantPage } from './pages/create-tenant.js';
import { HealthPage } from './pages/health.js';
import { NotFoundPage } from './pages/not-found.js';
import { SignInPage } from './pages/sign-in.js';
import { TenantPage } from './pages/tenant.js';
import { TenantsPage } from './pages/tenants.js';
import { type Route, links, useRoute } from './router.js';
import { type Session, SessionContext, isPlatformAdmin } from './session.js';
import type { WhoAmI } from './types.js';
import './styles.css';
import './parts.css';

type Auth = { state: 'checking' } | { state: 'signed-out'; message?: string } | { state: 'signed-in'; token: string; who: WhoAmI };

function App() {
  const [auth, setAuth] = useState<Auth>(() => (storedToken() ? { state: 'checking' } : { state: 'signed-out' }));
  const route = useRoute();

  const signOut = useCallback((message?: string) => {
    forgetToken();
    setAuth(message === undefined ? { state: 'signed-out' } : { state: 'signed-out', message });
  }, []);

  useEffect(() => whenUnauthorized((message) => signOut(`Signed out: the service no longer accepts this token (${message}).`)), [signOut]);

  // A reload keeps the tab's session: check the stored token still works.
  useEffect(() => {
    const token = storedToken();
    if (auth.state !== 'checking' || !token) return;
    api<WhoAmI>('/api/v1/auth/whoami', { token }).then(
      (who) => setAuth({ state: 'signed-in', token, who }),
      () => signOut('Your session has ended; sign in again.'),
    );
  }, [auth.state, signOut]);

  const session = useMemo<Session | undefined>(
    () => (auth.state === 'signed-in' ? { token: auth.token, who: auth.who, signOut } : undefined),
    [auth, signOut],
  );

  if (auth.state === 'checking') return <Loading what="your session" />;
  if (!session) {
    return (
      <SignInPage
        message={auth.state === 'signed-out' ? auth.message : undefined}
        onSignedIn={(token, who) => {
          storeToken(token);
          setAuth({ state: 'signed-in', token, who });
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell route={route} session={session} />
    </SessionContext.Provider>
  );
}

function Shell({ route, session }: { route: Route; session: Session }) {
  const admin = isPlatformAdmin(session);
  const current = (page: Route['page']) => (route.page === page ? ('page' as const) : undefined);
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={links.tenants}>
          MATIH control plane
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href={links.tenants} aria-current={current('tenants')}>
                Tenants
              </a>
            </li>
            {admin && (
              <li>
                <a href={links.create} aria-current={current('create')}>
                  Create tenant
                </a>
              </li>
            )}
            {admin && (
              <li>
                <a href={links.health} aria-current={current('health')}>
                  Health
                </a>
              </li>
            )}
            {admin && (
              <li>
                <a href={links.apiKeys} aria-current={current('api-keys')}>
                  API keys
                </a>
              </li>
            )}
          </ul>
        </nav>
        <div class="whoami">
          <span title={session.who.actor}>
            {session.who.role === 'platform_admin' ? 'Platform admin' : `${session.who.role} of a tenant`}
          </span>
          <button type="button" class="button button-small" onClick={() => session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'tenants':
      return <TenantsPage />;
    case 'create':
      return <CreateTenantPage />;
    case 'tenant':
      return <TenantPage key={route.id} id={route.id} />;
    case 'health':
      return <HealthPage />;
    case 'api-keys':
      return <ApiKeysPage />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}

const root = document.getElementById('app');
if (root) render(<App />, root);
