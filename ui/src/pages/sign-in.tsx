import { useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../api.js';
import { Field, describedBy } from '../components/field.js';
import type { AccessToken, WhoAmI } from '../types.js';

/**
 * Signs in with a bearer token (the bootstrap token, a JWT) or an API key. A key (mtk_...) is
 * exchanged for a short-lived token first, so the long-lived secret is not kept in the tab.
 */
export function SignInPage({ message, onSignedIn }: { message: string | undefined; onSignedIn: (token: string, who: WhoAmI) => void }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · MATIH control plane';
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = secret.trim();
    if (value === '') {
      setError('Enter a token or an API key.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const token = value.startsWith('mtk_')
        ? (await api<AccessToken>('/api/v1/auth/token', { method: 'POST', body: { apiKey: value }, token: '' })).accessToken
        : value;
      const who = await api<WhoAmI>('/api/v1/auth/whoami', { token });
      onSignedIn(token, who);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <form class="card signin-card" onSubmit={(e) => void submit(e)} noValidate>
        <h1>Sign in to the MATIH control plane</h1>
        {message && (
          <p class="notice notice-muted" role="status">
            {message}
          </p>
        )}
        <Field id="secret" label="Token or API key" error={error} hint="The bootstrap token, an access token, or an API key (mtk_…). Kept in this tab only.">
          <input
            {...describedBy('secret', error, true)}
            type="password"
            name="secret"
            autoComplete="off"
            spellcheck={false}
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
            required
          />
        </Field>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
