import { type CloudEvent, EventType } from '../../domain/events.js';
import type { NotificationMessage } from '../contract.js';

/**
 * The email the tenant admin gets for an event of ADMIN_NOTIFIED_EVENTS, built from the event's
 * data. The fields read, at the top level of `data` or inside `data.tenant` (the engine writes
 * tenant.provisioned as { tenant: Tenant, adminEmail, ... } and tenant.provisioning.failed as
 * { tenantId, slug, adminEmail, reason, failedStep }):
 *
 * - adminEmail (required): the recipient; `data.adminEmail`, else `data.tenant.adminEmail`
 * - tenantName: `data.tenantName`, else `data.tenant.name` (falls back to the slug)
 * - slug: `data.slug`, else `data.tenant.slug`
 * - tenantId: `data.tenantId`, else `data.tenant.id`, else the id in the event's subject
 * - reason, failedStep (tenant.provisioning.failed): why and where provisioning stopped
 *
 * Returns undefined for other event types and for data without an adminEmail.
 */
export function adminNotification(event: CloudEvent): NotificationMessage | undefined {
  const data = event.data;
  const tenant = isRecord(data.tenant) ? data.tenant : {};
  const adminEmail = text(data.adminEmail) ?? text(tenant.adminEmail);
  if (!adminEmail) return undefined;
  const slug = text(data.slug) ?? text(tenant.slug);
  const name = text(data.tenantName) ?? text(tenant.name) ?? slug ?? 'your tenant';
  const tenantId = text(data.tenantId) ?? text(tenant.id) ?? event.subject.split('/').pop() ?? '';
  const label = slug && slug !== name ? `${name} (${slug})` : name;
  const facts = [`Tenant: ${label}`, `Tenant id: ${tenantId}`, `Event: ${event.type} ${event.id} at ${event.time}`];

  if (event.type === EventType.TENANT_PROVISIONED) {
    return {
      to: adminEmail,
      subject: `[MATIH] Tenant ${label} is ready`,
      text: [`Provisioning of your tenant ${label} has completed and it is now active.`, '', ...facts, ''].join('\n'),
      eventId: event.id,
    };
  }
  if (event.type === EventType.PROVISIONING_FAILED) {
    const reason = text(data.reason) ?? 'no reason was recorded';
    const step = text(data.failedStep);
    return {
      to: adminEmail,
      subject: `[MATIH] Provisioning of tenant ${label} failed`,
      text: [
        `Provisioning of your tenant ${label} failed${step ? ` at step ${step}` : ''}.`,
        '',
        `Reason: ${reason}`,
        '',
        ...facts,
        '',
        'A platform administrator can retry provisioning from the failed step.',
        '',
      ].join('\n'),
      eventId: event.id,
    };
  }
  const lifecycle = LIFECYCLE_MESSAGES[event.type];
  if (lifecycle) {
    return { to: adminEmail, subject: `[MATIH] ${lifecycle.subject(label)}`, text: [lifecycle.text(label), '', ...facts, ''].join('\n'), eventId: event.id };
  }
  return undefined;
}

/** spec/002: suspension and reactivation notify the tenant admin; so does the end of a deletion. */
const LIFECYCLE_MESSAGES: Readonly<Record<string, { subject(label: string): string; text(label: string): string }>> = {
  [EventType.TENANT_SUSPENDED]: {
    subject: (label) => `Tenant ${label} is suspended`,
    text: (label) =>
      `Your tenant ${label} has been suspended by a platform administrator. Its services are stopped and its API keys and tokens are refused; its data is kept.`,
  },
  [EventType.TENANT_ACTIVATED]: {
    subject: (label) => `Tenant ${label} is active again`,
    text: (label) => `Your tenant ${label} has been reactivated: its services are running and healthy. Tokens issued before the suspension stay revoked; sign in again.`,
  },
  [EventType.TENANT_DELETED]: {
    subject: (label) => `Tenant ${label} has been deleted`,
    text: (label) => `Your tenant ${label} and its data plane have been deleted. Its audit logs were archived before deletion.`,
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
