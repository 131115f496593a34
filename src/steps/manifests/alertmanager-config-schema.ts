import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { KubeObject } from '../../drivers/contract.js';
import { PrometheusDuration } from './prometheus-rule-schema.js';

/**
 * The Prometheus Operator's AlertmanagerConfig (monitoring.coreos.com/v1alpha1) as a TypeBox
 * schema, cut to the fields the tenant's alert routing uses (alert-routing.ts), with the CRD's
 * names and limits. Closed objects, as in prometheus-rule-schema.ts: the API server prunes what
 * a CRD does not know, so a misspelt `repeatInterval` would silently become the default.
 *
 * Deliberately narrower than the CRD in one place: a webhook or Slack URL only by reference to
 * a Secret (`urlSecret`, `apiURL`), never as `url` in the object, because such URLs carry tokens
 * and an AlertmanagerConfig is no place for one.
 */

export const ALERTMANAGER_CONFIG_API_VERSION = 'monitoring.coreos.com/v1alpha1';

const closed = { additionalProperties: false } as const;
const NonEmpty = Type.String({ minLength: 1 });
const SecretKeySelector = Type.Object({ name: Type.String({ minLength: 1, maxLength: 253 }), key: NonEmpty }, closed);

export const MatcherSchema = Type.Object(
  {
    name: NonEmpty,
    value: Type.String(),
    matchType: Type.Union([Type.Literal('='), Type.Literal('!='), Type.Literal('=~'), Type.Literal('!~')]),
  },
  closed,
);

const routeFields = {
  // Optional below the top: a child route without one notifies its parent's receiver.
  receiver: Type.Optional(NonEmpty),
  groupBy: Type.Optional(Type.Array(NonEmpty, { uniqueItems: true })),
  groupWait: Type.Optional(PrometheusDuration),
  groupInterval: Type.Optional(PrometheusDuration),
  repeatInterval: Type.Optional(PrometheusDuration),
  matchers: Type.Optional(Type.Array(MatcherSchema)),
  continue: Type.Optional(Type.Boolean()),
};

/** The CRD types child routes as free JSON (no recursive schemas); ours are one level deep. */
export const ChildRouteSchema = Type.Object(routeFields, closed);
export const RouteSchema = Type.Object({ ...routeFields, receiver: NonEmpty, routes: Type.Optional(Type.Array(ChildRouteSchema)) }, closed);

export const EmailConfigSchema = Type.Object(
  {
    to: NonEmpty,
    // Left out: the Alertmanager's global smtp_from / smtp_smarthost / smtp_require_tls apply.
    from: Type.Optional(NonEmpty),
    smarthost: Type.Optional(Type.String({ pattern: '^.+:[0-9]{1,5}$' })),
    requireTLS: Type.Optional(Type.Boolean()),
    sendResolved: Type.Optional(Type.Boolean()),
  },
  closed,
);
export const WebhookConfigSchema = Type.Object({ urlSecret: SecretKeySelector, sendResolved: Type.Optional(Type.Boolean()) }, closed);
export const SlackConfigSchema = Type.Object({ apiURL: SecretKeySelector, sendResolved: Type.Optional(Type.Boolean()) }, closed);

export const ReceiverSchema = Type.Object(
  {
    name: NonEmpty,
    emailConfigs: Type.Optional(Type.Array(EmailConfigSchema)),
    webhookConfigs: Type.Optional(Type.Array(WebhookConfigSchema)),
    slackConfigs: Type.Optional(Type.Array(SlackConfigSchema)),
  },
  closed,
);
export type AlertReceiver = Static<typeof ReceiverSchema>;

export const AlertmanagerConfigSchema = Type.Object(
  {
    apiVersion: Type.Literal(ALERTMANAGER_CONFIG_API_VERSION),
    kind: Type.Literal('AlertmanagerConfig'),
    metadata: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 253 }),
      namespace: Type.String({ minLength: 1, maxLength: 63 }),
      labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
    spec: Type.Object({ route: RouteSchema, receivers: Type.Array(ReceiverSchema, { minItems: 1 }) }, closed),
  },
  closed,
);
export type AlertmanagerConfig = Static<typeof AlertmanagerConfigSchema>;

/**
 * Everything wrong with an AlertmanagerConfig; nothing for other kinds. Beyond the schema, what
 * makes the operator refuse the object (and so drop the tenant's routing from the Alertmanager's
 * configuration without a word to us): repeated receiver names, a route naming a receiver that
 * is not declared.
 */
export function alertmanagerConfigProblems(obj: KubeObject): string[] {
  if (obj.kind !== 'AlertmanagerConfig') return [];
  const where = `AlertmanagerConfig/${obj.metadata.name}`;
  if (!Value.Check(AlertmanagerConfigSchema, obj)) {
    return [...Value.Errors(AlertmanagerConfigSchema, obj)].map((e) => `${where}: ${e.path || '/'} ${e.message}`);
  }
  const names = obj.spec.receivers.map((r) => r.name);
  const problems = names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${where}: /spec/receivers receiver name "${n}" is repeated`);
  const routes = [obj.spec.route, ...(obj.spec.route.routes ?? [])];
  for (const r of routes) {
    if (r.receiver !== undefined && !names.includes(r.receiver)) problems.push(`${where}: /spec/route names receiver "${r.receiver}", which is not declared`);
  }
  return problems;
}
