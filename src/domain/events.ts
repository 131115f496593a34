/** Event types written to the transactional outbox; delivered by the relay (issue 3). */
export const EventType = {
  TENANT_CREATED: 'tenant.created',
  TENANT_SETTINGS_CHANGED: 'tenant.settings.changed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
