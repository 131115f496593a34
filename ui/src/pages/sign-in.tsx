import { useEffect, useState } from 'preact/hooks';
import { api, describeError } from '../api.js';
import { Field, describedBy } from '../components/field.js';
import { type SsoConfig, completeSsoSignIn, isSsoCallback, ssoConfig, startSsoSignIn } from '../sso.js';
import type { AccessToken, WhoAmI } from '../types.js';

/**
 * Signs in with a bearer token (the bootstrap token, a JWT) or an API key. A key (mtk_...) is
 * exchanged for a short-lived token first, so the long-lived secret is not kept in the tab.
 * When the service has an OpenID Provider for the dashboard, "Sign in with SSO" goes through it
 * (sso.ts), and this page completes the sign-in when the provider sends the browser back.
 */
export function SignInPage({ message, onSignedIn }: { message: string | undefined; onSignedIn: (token: string, who: WhoAmI) => void }) {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<SsoConfig | undefined>();
  const [ssoError, setSsoError] = useState<string | undefined>();
  const [ssoBusy, setSsoBusy] = useState(isSsoCallback);

  useEffect(() => {
    document.title = 'Sign in · MATIH control plane';
    void ssoConfig().then(setSso);
    if (!isSsoCallback()) return;
    completeSsoSignIn()
      .then(async (token) => onSignedIn(token, await api<WhoAmI>('/api/v1/auth/whoami', { token })))
      .catch((e: unknown) => {
        setSsoError(describeError(e));
        setSsoBusy(false);
      });
    // Once, when the page opens: the provider's answer is in the address only then.
  }, []);

  const signInWithSso = () => {
    if (!sso) return;
    setSsoBusy(true);
    setSsoError(undefined);
    startSsoSignIn(sso).catch((e: unknown) => {
      setSsoError(describeError(e));
      setSsoBusy(false);
    });
  };

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
        {(sso || ssoBusy || ssoError) && (
          <div class="signin-sso">
            <p class="signin-or">or, with your organisation's account</p>
            {ssoError && (
              <p class="notice notice-error" role="alert">
                {ssoError}
              </p>
            )}
            <button type="button" class="button" onClick={signInWithSso} disabled={ssoBusy || !sso}>
              {ssoBusy ? 'Signing in with SSO…' : 'Sign in with SSO'}
            </button>
          </div>
        )}
      </form>
    </main>
  );
}
