import type { VariableReader } from './variable-reader.js';

/**
 * How tenants' alert emails are sent (spec/004 phase 9, alert notification channels). The
 * tenant's alert routing is an AlertmanagerConfig the platform Alertmanager reads, and these are
 * the SMTP fields of its email receivers. Each variable left unset leaves the field out, and the
 * Alertmanager's own global setting (`smtp_smarthost`, `smtp_from`, `smtp_require_tls`) applies:
 * a platform that configured its Alertmanager's SMTP once needs none of them. No password: an
 * AlertmanagerConfig may only read one from a Secret in the tenant's namespace, which would put
 * the platform's SMTP credential in every tenant's; a relay that needs a login is configured in
 * the Alertmanager's globals.
 */
export const ALERTING_VARIABLES = {
  MATIH_ALERT_SMTP_SMARTHOST: '',
  MATIH_ALERT_SMTP_FROM: '',
  MATIH_ALERT_SMTP_REQUIRE_TLS: '',
} as const;
type AlertingVariable = keyof typeof ALERTING_VARIABLES;

export interface AlertingSettings {
  smtp: { smarthost?: string; from?: string; requireTls?: boolean };
}

// Alertmanager splits the smarthost at its last colon (net.SplitHostPort): a host name or IPv4
// address, or an IPv6 address in brackets, then a port.
const SMARTHOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
// As MATIH_SMTP_FROM: an address, or a display name and an address in angle brackets.
const FROM = /^[^@\s<>]+@[^@\s<>]+$|^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/;

export function parseAlertingSettings(read: VariableReader<AlertingVariable>, problems: string[]): AlertingSettings {
  const smtp: AlertingSettings['smtp'] = {};
  const smarthost = read.optional('MATIH_ALERT_SMTP_SMARTHOST');
  if (smarthost !== undefined) {
    const port = Number(SMARTHOST.exec(smarthost)?.[1] ?? 0);
    if (port < 1 || port > 65_535) problems.push(`MATIH_ALERT_SMTP_SMARTHOST="${smarthost}" must be host:port, e.g. smtp-relay.monitoring.svc:25`);
    else smtp.smarthost = smarthost;
  }
  const from = read.optional('MATIH_ALERT_SMTP_FROM');
  if (from !== undefined) {
    if (!FROM.test(from)) problems.push(`MATIH_ALERT_SMTP_FROM="${from}" must be an email address, optionally as Name <address>`);
    else smtp.from = from;
  }
  const requireTls = read.optional('MATIH_ALERT_SMTP_REQUIRE_TLS')?.toLowerCase();
  if (requireTls !== undefined) {
    if (requireTls === 'true' || requireTls === 'false') smtp.requireTls = requireTls === 'true';
    else problems.push(`MATIH_ALERT_SMTP_REQUIRE_TLS="${requireTls}" must be true or false`);
  }
  return { smtp };
}
