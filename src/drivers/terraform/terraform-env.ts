/**
 * The environment Terraform runs in: only what it needs from ours (the path, home, temporary
 * directories, proxies, CA bundles, its own TF_* and the Azure provider's ARM_* settings), never
 * the control plane's own secrets (DATABASE_URL, MATIH_*). TF_LOG is left out so that debug logs,
 * which print requests, do not end up in error messages.
 */
const PASSED = new Set([
  'PATH', 'HOME', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR',
]);
const PASSED_PREFIXES = ['TF_', 'ARM_'];

export function terraformEnvironment(
  base: NodeJS.ProcessEnv,
  extra: Readonly<Record<string, string | undefined>>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name.startsWith('TF_LOG')) continue;
    if (PASSED.has(name) || PASSED_PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
  }
  // Never ask, never phone home: a control plane runs unattended.
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  env.CHECKPOINT_DISABLE = '1';
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Values that must never appear in a message: replaced wherever they turn up. */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, secret) => out.replaceAll(secret, '[REDACTED]'), text);
}
