import { createHash } from 'node:crypto';
import { StepName } from '../domain/plans.js';
import { type StepDrivers, type StepHandler, declarativeStep, resource } from './step.js';

// The simulated cloud's load balancers answer from the documentation range (RFC 5737).
function loadBalancerIp(tenantId: string): string {
  const n = createHash('sha256').update(tenantId).digest()[0] ?? 1;
  return `203.0.113.${(n % 250) + 2}`;
}

/** spec/004 phase 6: the tenant's own ingress-nginx with its IngressClass and LoadBalancer. */
export function deployIngressController(drivers: StepDrivers): StepHandler {
  return declarativeStep(
    StepName.DEPLOY_INGRESS_CONTROLLER,
    drivers,
    (ctx) => [
      resource('HelmRelease', `${ctx.tenant.namespace}/ingress-nginx`, {
        chart: 'ingress-nginx/ingress-nginx',
        values: { controller: { ingressClass: `nginx-${ctx.tenant.slug}`, replicaCount: 2, service: { type: 'LoadBalancer' } } },
      }),
    ],
    (ctx) => ({ outputs: { ingressClass: `nginx-${ctx.tenant.slug}`, loadBalancerIp: loadBalancerIp(ctx.tenant.id) } }),
  );
}

/** spec/004 phase 7: the child zone, its delegation, and A records to the load balancer. */
export function createDnsZone(drivers: StepDrivers, baseDomain: string): StepHandler {
  return declarativeStep(
    StepName.CREATE_DNS_ZONE,
    drivers,
    (ctx) => {
      const zone = `${ctx.tenant.slug}.${baseDomain}`;
      const assigned = ctx.outputs[StepName.DEPLOY_INGRESS_CONTROLLER]?.loadBalancerIp;
      const ip = typeof assigned === 'string' ? assigned : loadBalancerIp(ctx.tenant.id);
      return [
        resource('DnsZone', zone),
        resource('DnsRecord', `${baseDomain}/NS/${ctx.tenant.slug}`, { zone: baseDomain }),
        ...['@', '*', 'api', 'bi'].map((host) => resource('DnsRecord', `${zone}/A/${host}`, { ip })),
      ];
    },
    (ctx) => ({ outputs: { zone: `${ctx.tenant.slug}.${baseDomain}` } }),
  );
}

/** spec/004 phase 8: the certificate and the Ingress with TLS. */
export function createTenantIngress(drivers: StepDrivers, baseDomain: string): StepHandler {
  return declarativeStep(StepName.CREATE_TENANT_INGRESS, drivers, (ctx) => {
    const host = `${ctx.tenant.slug}.${baseDomain}`;
    return [
      resource('Certificate', `${ctx.tenant.namespace}/${ctx.tenant.slug}-tls-certificate`, { dnsNames: [host, `*.${host}`] }),
      resource('Ingress', `${ctx.tenant.namespace}/tenant-ingress`, { ingressClassName: `nginx-${ctx.tenant.slug}`, hosts: [host, `bi.${host}`] }),
    ];
  });
}
