import type { KubeObject } from '../../src/drivers/contract.js';
import type { AlertReceiver, AlertmanagerConfig } from '../../src/steps/manifests/index.js';

/**
 * What the Prometheus Operator makes of AlertmanagerConfig objects: the alertmanager.yml it
 * generates for the Alertmanager that selects them (prometheus-operator pkg/alertmanager/amcfg.go,
 * as its golden files show it), cut to the fields the tenant's routing uses, so that
 * `amtool check-config` can judge what the Alertmanager would load.
 *
 * As the operator does: a root route to a "null" receiver (the platform's own base config,
 * `global` too); under it one route per object, matching `namespace="<its namespace>"` in place
 * of any namespace matcher it had (the OnNamespace strategy) and always `continue: true`;
 * receiver names prefixed `<namespace>/<name>/`; Secret references resolved to the values of the
 * Secrets in the object's namespace (an object whose Secret is missing is refused, as the
 * operator refuses it). JSON is YAML, so the result is written as JSON.
 */

type Json = Record<string, unknown>;
type Route = AlertmanagerConfig['spec']['route'];
type ChildRoute = NonNullable<Route['routes']>[number];

function secretValue(objects: readonly KubeObject[], namespace: string, ref: { name: string; key: string }): string {
  const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.namespace === namespace && o.metadata.name === ref.name);
  const encoded = (secret?.data as Record<string, string> | undefined)?.[ref.key];
  if (encoded === undefined) throw new Error(`the operator refuses the config: no key ${ref.key} in Secret ${namespace}/${ref.name}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

function route(r: Route | ChildRoute, prefix: string, namespace?: string): Json {
  // At the top, the operator drops the object's own `namespace` equality and regex matchers and adds its own.
  const own = (r.matchers ?? []).filter((m) => namespace === undefined || m.name !== 'namespace' || m.matchType.startsWith('!'));
  const matchers = [...(namespace === undefined ? [] : [`namespace="${namespace}"`]), ...own.map((m) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`)];
  const children = 'routes' in r ? (r.routes ?? []) : [];
  return Object.fromEntries(
    Object.entries({
      receiver: r.receiver === undefined ? undefined : prefix + r.receiver,
      group_by: r.groupBy,
      group_wait: r.groupWait,
      group_interval: r.groupInterval,
      repeat_interval: r.repeatInterval,
      matchers: matchers.length > 0 ? matchers : undefined,
      continue: namespace !== undefined ? true : r.continue,
      routes: children.length > 0 ? children.map((c) => route(c, prefix)) : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

function receiver(r: AlertReceiver, prefix: string, namespace: string, objects: readonly KubeObject[]): Json {
  const out: Json = { name: prefix + r.name };
  if (r.emailConfigs) {
    out.email_configs = r.emailConfigs.map((e) =>
      Object.fromEntries(Object.entries({ to: e.to, from: e.from, smarthost: e.smarthost, require_tls: e.requireTLS, send_resolved: e.sendResolved }).filter(([, v]) => v !== undefined)),
    );
  }
  if (r.webhookConfigs) out.webhook_configs = r.webhookConfigs.map((w) => ({ url: secretValue(objects, namespace, w.urlSecret), send_resolved: w.sendResolved }));
  if (r.slackConfigs) out.slack_configs = r.slackConfigs.map((s) => ({ api_url: secretValue(objects, namespace, s.apiURL), send_resolved: s.sendResolved }));
  return out;
}

/** The Alertmanager configuration for `objects` (AlertmanagerConfigs and the Secrets they read), over a base with `global`. */
export function operatorAlertmanagerConfig(objects: readonly KubeObject[], global?: Json): Json {
  const configs = objects.filter((o) => o.kind === 'AlertmanagerConfig') as unknown as AlertmanagerConfig[];
  const routes: Json[] = [];
  const receivers: Json[] = [{ name: 'null' }];
  for (const c of configs) {
    const { namespace, name } = c.metadata;
    const prefix = `${namespace}/${name}/`;
    routes.push(route(c.spec.route, prefix, namespace));
    receivers.push(...c.spec.receivers.map((r) => receiver(r, prefix, namespace, objects)));
  }
  return { ...(global ? { global } : {}), route: { receiver: 'null', routes }, receivers, templates: [] };
}
