import type { ISecret } from 'kubernetes-models/v1/Secret';
import { StepName } from '../../domain/plans.js';
import { type TenantNotifications, readNotifications } from '../../domain/settings.js';
import type { KubeObject } from '../../drivers/contract.js';
import type { AlertSmtp, TenantFacts } from '../step.js';
import { ALERTMANAGER_CONFIG_API_VERSION, type AlertReceiver, type AlertmanagerConfig } from './alertmanager-config-schema.js';
import { tenantMeta, toKubeObject } from './object-meta.js';

/**
 * spec/004 phase 9 "Configure alert notification channels (email, Slack)": where the tenant's
 * alerts go, as an AlertmanagerConfig in its namespace.
 *
 * Why an AlertmanagerConfig for the platform's Alertmanager, and not an Alertmanager in the
 * tenant's kube-prometheus-stack release: the Prometheus Operator is the platform's, and so is
 * everything else cluster-wide the tenant's monitoring leans on (the operator, kube-state-metrics,
 * the platform Prometheus the tenant federates from, Loki and Tempo); an Alertmanager per tenant
 * would be one more pod against quotas that have no room (Free's CPU limits are spent, see
 * monitoring-sizing.ts) for a process that sends a few emails a day. The operator merges every
 * selected AlertmanagerConfig into that Alertmanager's configuration, under a route matching
 * `namespace="<the object's namespace>"` (its OnNamespace strategy), so one tenant's routing only
 * ever sees that tenant's alerts; the top route here says the same itself, so a platform that
 * chose no matcher strategy would not send one tenant's alerts to another. Every default rule
 * keeps its `namespace` label (alert-rules.ts), so every one is routed.
 *
 * Receivers from the tenant's notification settings: email (to `alertEmail`, else the tenant
 * admin) unless switched off, and the webhook URL if set. A Slack incoming-webhook URL becomes a
 * Slack receiver (spec/004's "Slack"); any other https URL gets Alertmanager's webhook JSON. The
 * URL goes into a Secret the AlertmanagerConfig references (webhook URLs carry tokens), declared
 * only while there is one, so removing the URL prunes it. SMTP relay and sender come from the
 * service's configuration (MATIH_ALERT_SMTP_*), else the Alertmanager's globals.
 */

export const ALERT_ROUTING_NAME = 'tenant-alert-routing';
export const ALERT_WEBHOOK_SECRET = { name: 'tenant-alert-webhook', key: 'url' } as const;
/** The one receiver: every channel of the tenant gets every alert. */
export const ALERT_RECEIVER = 'tenant';

export type AlertChannel = 'email' | 'webhook' | 'slack';

/**
 * Notification timing. One notification per alert name and severity (a hot pod and its
 * neighbours in one email), the first after 30 s so alerts firing together arrive together;
 * repeated every 4 h while firing (Alertmanager's default), critical ones every hour.
 */
const TIMING = { groupBy: ['alertname', 'severity'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' };
const CRITICAL_REPEAT = '1h';

/** Slack's incoming webhooks take Slack's message format, not Alertmanager's webhook JSON. */
function isSlackWebhook(url: string): boolean {
  try {
    return new URL(url).hostname === 'hooks.slack.com';
  } catch {
    return false;
  }
}

/** The tenant's notification settings, the defaults where it has none. */
function notificationsOf(tenant: TenantFacts): TenantNotifications {
  return tenant.notifications ?? readNotifications(undefined);
}

/** Which channels the tenant's alerts go to (for the step's outputs: kinds, never addresses). */
export function alertChannels(tenant: TenantFacts): AlertChannel[] {
  const n = notificationsOf(tenant);
  const channels: AlertChannel[] = n.email ? ['email'] : [];
  if (n.webhookUrl !== null) channels.push(isSlackWebhook(n.webhookUrl) ? 'slack' : 'webhook');
  return channels;
}

function receiver(tenant: TenantFacts, smtp: AlertSmtp): AlertReceiver {
  const n = notificationsOf(tenant);
  const r: AlertReceiver = { name: ALERT_RECEIVER };
  if (n.email) {
    const email = { to: n.alertEmail ?? tenant.adminEmail, smarthost: smtp.smarthost, from: smtp.from, requireTLS: smtp.requireTls, sendResolved: true };
    r.emailConfigs = [email];
  }
  if (n.webhookUrl !== null) {
    const ref = { name: ALERT_WEBHOOK_SECRET.name, key: ALERT_WEBHOOK_SECRET.key };
    if (isSlackWebhook(n.webhookUrl)) r.slackConfigs = [{ apiURL: ref, sendResolved: true }];
    else r.webhookConfigs = [{ urlSecret: ref, sendResolved: true }];
  }
  // With no channel at all the receiver stays, empty: Alertmanager drops what it receives, as the tenant asked.
  return r;
}

function webhookSecret(tenant: TenantFacts, url: string): KubeObject {
  const secret: ISecret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: tenantMeta(tenant, StepName.DEPLOY_MONITORING, ALERT_WEBHOOK_SECRET.name),
    type: 'Opaque',
    // `data`, not `stringData`, as secrets.ts explains: what we declare must read back the same.
    data: { [ALERT_WEBHOOK_SECRET.key]: Buffer.from(url, 'utf8').toString('base64') },
  };
  return toKubeObject(secret);
}

/** The webhook Secret (while the tenant has a webhook URL), then the AlertmanagerConfig that reads it. */
export function alertRoutingManifests(tenant: TenantFacts, smtp: AlertSmtp = {}): KubeObject[] {
  const config: AlertmanagerConfig = {
    apiVersion: ALERTMANAGER_CONFIG_API_VERSION,
    kind: 'AlertmanagerConfig',
    metadata: tenantMeta(tenant, StepName.DEPLOY_MONITORING, ALERT_ROUTING_NAME),
    spec: {
      route: {
        receiver: ALERT_RECEIVER,
        ...TIMING,
        matchers: [{ name: 'namespace', value: tenant.namespace, matchType: '=' }],
        routes: [{ matchers: [{ name: 'severity', value: 'critical', matchType: '=' }], repeatInterval: CRITICAL_REPEAT }],
      },
      receivers: [receiver(tenant, smtp)],
    },
  };
  const url = notificationsOf(tenant).webhookUrl;
  // toKubeObject drops the SMTP fields left undefined (the Alertmanager's globals apply).
  return [...(url === null ? [] : [webhookSecret(tenant, url)]), toKubeObject(config)];
}
