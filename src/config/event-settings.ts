/**
 * Event delivery settings (the outbox relay's sinks and the admin notifier), read by loadConfig.
 * Kept apart from load-config.ts because they validate as a group: which variables are required
 * depends on which sinks are enabled.
 */
export const EVENT_SINK_KINDS = ['log', 'webhook'] as const;
export type EventSinkKind = (typeof EVENT_SINK_KINDS)[number];
export const NOTIFIER_KINDS = ['log', 'smtp'] as const;
export type NotifierKind = (typeof NOTIFIER_KINDS)[number];

export interface EventSettings {
  /** Where every event goes, in this order; admin notifications are delivered after them. */
  sinks: readonly EventSinkKind[];
  /** Set when the webhook sink is enabled. */
  webhookUrl: string | undefined;
  /** HMAC-SHA256 key of x-matih-signature; set (16+ characters) when the webhook sink is enabled. */
  webhookSecret: string | undefined;
  notifier: NotifierKind;
  /** Set when the notifier is smtp. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** How often an idle relay looks for undelivered events. */
  relayPollMs: number;
}

export const MIN_WEBHOOK_SECRET_LENGTH = 16;

type EventVariable = 'MATIH_EVENT_SINKS' | 'MATIH_WEBHOOK_URL' | 'MATIH_WEBHOOK_SECRET' | 'MATIH_NOTIFIER' | 'MATIH_SMTP_URL' | 'MATIH_SMTP_FROM';

/**
 * Problems name the variable but never echo a secret or a URL, which may carry credentials
 * (smtp://user:password@host, a token in a webhook's query).
 */
export function parseEventSettings(read: (name: EventVariable) => string, problems: string[]): Omit<EventSettings, 'relayPollMs'> {
  const sinks: EventSinkKind[] = [];
  const rawSinks = read('MATIH_EVENT_SINKS');
  for (const item of rawSinks.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    const kind = EVENT_SINK_KINDS.find((k) => k === item);
    if (!kind) problems.push(`MATIH_EVENT_SINKS: "${item}" is not one of ${EVENT_SINK_KINDS.join(', ')}`);
    else if (!sinks.includes(kind)) sinks.push(kind);
  }
  if (sinks.length === 0 && rawSinks.split(',').every((s) => s.trim() === '')) {
    problems.push(`MATIH_EVENT_SINKS must name at least one of ${EVENT_SINK_KINDS.join(', ')}`);
  }

  const webhookUrl = read('MATIH_WEBHOOK_URL') || undefined;
  const webhookSecret = read('MATIH_WEBHOOK_SECRET') || undefined;
  if (sinks.includes('webhook')) {
    if (!webhookUrl) problems.push('MATIH_WEBHOOK_URL is required when MATIH_EVENT_SINKS includes webhook');
    else if (!isUrl(webhookUrl, ['http:', 'https:'])) problems.push('MATIH_WEBHOOK_URL must be an http:// or https:// URL');
    if (!webhookSecret) problems.push('MATIH_WEBHOOK_SECRET is required when MATIH_EVENT_SINKS includes webhook');
    else if (webhookSecret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      problems.push(`MATIH_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long`);
    }
  }

  const rawNotifier = read('MATIH_NOTIFIER').toLowerCase();
  const notifier = NOTIFIER_KINDS.find((k) => k === rawNotifier);
  if (!notifier) problems.push(`MATIH_NOTIFIER="${rawNotifier}" must be one of ${NOTIFIER_KINDS.join(', ')}`);
  const smtpUrl = read('MATIH_SMTP_URL') || undefined;
  if (notifier === 'smtp') {
    if (!smtpUrl) problems.push('MATIH_SMTP_URL is required when MATIH_NOTIFIER is smtp');
    else if (!isUrl(smtpUrl, ['smtp:', 'smtps:'])) problems.push('MATIH_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  const smtpFrom = read('MATIH_SMTP_FROM');
  if (!/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(smtpFrom)) {
    problems.push(`MATIH_SMTP_FROM="${smtpFrom}" must be an email address, optionally as Name <address>`);
  }

  return { sinks, webhookUrl, webhookSecret, notifier: notifier ?? 'log', smtpUrl, smtpFrom };
}

function isUrl(value: string, protocols: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}
