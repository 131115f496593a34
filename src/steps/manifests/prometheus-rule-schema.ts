import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { KubeObject } from '../../drivers/contract.js';

/**
 * The Prometheus Operator's PrometheusRule (monitoring.coreos.com/v1) as a TypeBox schema, for
 * the alerting rules we write: kubernetes-models has no CRD models, and validate.ts knows only
 * core kinds and HelmRelease. Closed objects, as in helm-release-schema.ts: the API server prunes
 * fields a CRD does not know, so a misspelt `for` would silently make an alert fire at once.
 */

export const PROMETHEUS_RULE_API_VERSION = 'monitoring.coreos.com/v1';

const closed = { additionalProperties: false } as const;

/** The operator CRD's duration pattern (Prometheus' model.Duration): "5m", "1h30m", "0s"; never empty. */
export const PrometheusDuration = Type.String({
  minLength: 1,
  pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
});

export const Severity = Type.Union([Type.Literal('warning'), Type.Literal('critical')]);
export type Severity = Static<typeof Severity>;

export const AlertRuleSchema = Type.Object(
  {
    // Prometheus loads only alert names that are metric names (no spaces), with its default validation.
    alert: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }),
    expr: Type.String({ minLength: 1 }),
    for: PrometheusDuration,
    labels: Type.Object({ severity: Severity, tenant_id: Type.Optional(Type.String({ minLength: 1 })) }, closed),
    annotations: Type.Object(
      { summary: Type.String({ minLength: 1 }), description: Type.String({ minLength: 1 }) },
      closed,
    ),
  },
  closed,
);
export type AlertRule = Static<typeof AlertRuleSchema>;

export const RuleGroupSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    interval: Type.Optional(PrometheusDuration),
    rules: Type.Array(AlertRuleSchema, { minItems: 1 }),
  },
  closed,
);
export type RuleGroup = Static<typeof RuleGroupSchema>;

export const PrometheusRuleSchema = Type.Object(
  {
    apiVersion: Type.Literal(PROMETHEUS_RULE_API_VERSION),
    kind: Type.Literal('PrometheusRule'),
    metadata: Type.Object({
      name: Type.String({ minLength: 1, maxLength: 253 }),
      namespace: Type.String({ minLength: 1, maxLength: 63 }),
      labels: Type.Optional(Type.Record(Type.String(), Type.String())),
      annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
    spec: Type.Object({ groups: Type.Array(RuleGroupSchema, { minItems: 1 }) }, closed),
  },
  closed,
);
export type PrometheusRule = Static<typeof PrometheusRuleSchema>;

/**
 * Everything wrong with a PrometheusRule; nothing for other kinds, so it can run over a step's
 * whole list. Beyond the schema: group names must be unique, or Prometheus refuses the file.
 */
export function prometheusRuleProblems(obj: KubeObject): string[] {
  if (obj.kind !== 'PrometheusRule') return [];
  const where = `PrometheusRule/${obj.metadata.name}`;
  if (!Value.Check(PrometheusRuleSchema, obj)) {
    return [...Value.Errors(PrometheusRuleSchema, obj)].map((e) => `${where}: ${e.path || '/'} ${e.message}`);
  }
  const names = obj.spec.groups.map((g) => g.name);
  return names.filter((n, i) => names.indexOf(n) !== i).map((n) => `${where}: /spec/groups group name "${n}" is repeated`);
}
