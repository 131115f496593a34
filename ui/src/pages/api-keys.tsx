import { ApiKeysPanel } from '../components/api-keys-panel.js';
import { PageHeading } from '../components/page-heading.js';
import { isPlatformAdmin, useSession } from '../session.js';

/**
 * The platform-admin API keys, for automation that acts on every tenant (a CI job that creates
 * tenants, with the `create` scope only). A tenant's own keys are on the tenant's page.
 */
export function ApiKeysPage() {
  const session = useSession();
  return (
    <section data-testid="api-keys-page">
      <PageHeading title="API keys" />
      {isPlatformAdmin(session) ? (
        <>
          <p class="muted">Platform-admin keys act on every tenant, within their scopes. A tenant's keys are on its page.</p>
          <ApiKeysPanel path="/api/v1/api-keys" tenant={false} id="platform-keys" />
        </>
      ) : (
        <p class="muted">Platform-admin keys are for platform admins; your tenant's keys are on its page.</p>
      )}
    </section>
  );
}
