import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/load-config.js';
import { NETWORK_ISOLATION_VARIABLES } from '../../src/config/network-isolation-settings.js';
import { configProblems } from '../support/config-problems.js';


describe('network isolation settings: what tenant pods may reach', () => {
  it('are documented configuration variables', () => {
    for (const name of Object.keys(NETWORK_ISOLATION_VARIABLES)) expect(CONFIG_VARIABLES).toHaveProperty(name);
  });

  it('default to the control plane in matih-system, the shared services in matih-platform, kube-dns, and the internet on 443 outside private ranges', () => {
    expect(loadConfig({}).networkIsolation).toEqual({
      controlPlaneNamespace: 'matih-system',
      platformNamespaces: ['matih-platform'],
      platformCidrs: [],
      clusterDns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } },
      // No tenant database URL yet (the embedded server's is known at start): any address, on PostgreSQL's port only.
      tenantDatabase: { cidrs: ['0.0.0.0/0', '::/0'], ports: [5432], source: 'any-address' },
      kubernetesApi: { cidrs: ['0.0.0.0/0', '::/0'], ports: [443, 6443], source: 'any-address' },
      internet: { cidrs: ['0.0.0.0/0'], ports: [443] },
      privateCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'],
    });
  });

  it("derive the database endpoint from the tenant database URL's host when it is an address, with its port", () => {
    expect(loadConfig({ TENANT_DATABASE_URL: 'postgres://admin@10.20.0.4:6432/tenants' }).networkIsolation.tenantDatabase).toEqual({ cidrs: ['10.20.0.4/32'], ports: [6432], source: 'derived' });
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@[fd00::4]/control' }).networkIsolation.tenantDatabase).toEqual({ cidrs: ['fd00::4/128'], ports: [5432], source: 'derived' });
    // A name may resolve to anything, and a policy takes addresses: any address, on the URL's port.
    expect(loadConfig({ TENANT_DATABASE_URL: 'postgres://admin@tenants.postgres.database.azure.com:5433/t' }).networkIsolation.tenantDatabase).toEqual({
      cidrs: ['0.0.0.0/0', '::/0'],
      ports: [5433],
      source: 'any-address',
    });
  });

  it('read every variable as given, configured addresses winning over the derived ones', () => {
    const isolation = loadConfig({
      TENANT_DATABASE_URL: 'postgres://admin@10.20.0.4/tenants',
      MATIH_CONTROL_PLANE_NAMESPACE: 'cp',
      MATIH_PLATFORM_NAMESPACES: ' shared , llm-gateway ',
      MATIH_PLATFORM_EGRESS_CIDRS: '10.30.0.0/24, 2001:DB8::/32',
      MATIH_CLUSTER_DNS_NAMESPACE: 'dns',
      MATIH_CLUSTER_DNS_LABELS: 'k8s-app=coredns, app.kubernetes.io/name=coredns',
      MATIH_TENANT_DB_EGRESS_CIDRS: '10.21.0.0/28,10.21.0.16/28',
      MATIH_TENANT_DB_EGRESS_PORT: '6432',
      MATIH_KUBE_API_EGRESS_CIDRS: '172.16.0.10/32',
      MATIH_KUBE_API_EGRESS_PORTS: '6443',
      MATIH_INTERNET_EGRESS_CIDRS: '203.0.113.0/24,198.51.100.0/24',
      MATIH_INTERNET_EGRESS_PORTS: '443,8443',
      MATIH_PRIVATE_CIDRS: '10.0.0.0/8,100.96.0.0/11',
    }).networkIsolation;
    expect(isolation).toEqual({
      controlPlaneNamespace: 'cp',
      platformNamespaces: ['shared', 'llm-gateway'],
      platformCidrs: ['10.30.0.0/24', '2001:db8::/32'],
      clusterDns: { namespace: 'dns', podLabels: { 'k8s-app': 'coredns', 'app.kubernetes.io/name': 'coredns' } },
      tenantDatabase: { cidrs: ['10.21.0.0/28', '10.21.0.16/28'], ports: [6432], source: 'configured' },
      kubernetesApi: { cidrs: ['172.16.0.10/32'], ports: [6443], source: 'configured' },
      internet: { cidrs: ['203.0.113.0/24', '198.51.100.0/24'], ports: [443, 8443] },
      privateCidrs: ['10.0.0.0/8', '100.96.0.0/11'],
    });
  });

  it('refuse bad values, each with its variable and the reason, all at once', () => {
    expect(
      configProblems({
        MATIH_CONTROL_PLANE_NAMESPACE: 'Matih_System',
        MATIH_PLATFORM_NAMESPACES: 'ok,not ok',
        MATIH_PLATFORM_EGRESS_CIDRS: '10.30.0.0',
        MATIH_CLUSTER_DNS_LABELS: 'k8s-app',
        MATIH_TENANT_DB_EGRESS_CIDRS: '10.20.0.4/8',
        MATIH_TENANT_DB_EGRESS_PORT: '70000',
        MATIH_KUBE_API_EGRESS_CIDRS: '300.1.1.1/32',
        MATIH_KUBE_API_EGRESS_PORTS: '443,https',
        MATIH_INTERNET_EGRESS_CIDRS: '0.0.0.0/33',
        MATIH_INTERNET_EGRESS_PORTS: '0',
        MATIH_PRIVATE_CIDRS: 'fc00::/7,fc00:::/7',
      }),
    ).toEqual([
      'MATIH_CONTROL_PLANE_NAMESPACE="Matih_System" must be one namespace name (lower case letters, digits and \'-\', at most 63)',
      'MATIH_PLATFORM_NAMESPACES: "not ok" is not a namespace name (lower case letters, digits and \'-\', at most 63)',
      'MATIH_PLATFORM_EGRESS_CIDRS: "10.30.0.0" is not a CIDR block such as 10.20.0.0/16 or fd00::/8',
      'MATIH_CLUSTER_DNS_LABELS: "k8s-app" is not a label, key=value',
      'MATIH_TENANT_DB_EGRESS_CIDRS: "10.20.0.4/8" has bits set past its prefix: give the network address of the block',
      'MATIH_TENANT_DB_EGRESS_PORT="70000" must be a TCP port from 1 to 65535',
      'MATIH_KUBE_API_EGRESS_CIDRS: "300.1.1.1/32" is not a CIDR block: "300.1.1.1" is not an IPv4 or IPv6 address',
      'MATIH_KUBE_API_EGRESS_PORTS="443,https" must be TCP ports from 1 to 65535, comma-separated',
      'MATIH_INTERNET_EGRESS_CIDRS: "0.0.0.0/33" is not a CIDR block: the prefix must be 0 to 32',
      'MATIH_INTERNET_EGRESS_PORTS="0" must be TCP ports from 1 to 65535, comma-separated',
      'MATIH_PRIVATE_CIDRS: "fc00:::/7" is not a CIDR block: "fc00:::" is not an IPv4 or IPv6 address',
    ]);
  });
});
