import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configProblems } from '../support/config-problems.js';


const SUBSCRIPTION = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const DIRECTORY = 'b6a8c1f2-0000-4000-8000-000000000001';
const CLIENT = 'c0ffee00-0000-4000-8000-000000000002';
const SECRET = 's3cret-value';

describe('Azure settings: one credential convention, the Azure SDK variables', () => {
  it('lists every missing or half-given Azure DNS setting at once, without secret values', () => {
    expect(configProblems({ MATIH_DNS_DRIVER: 'azure' })).toEqual([
      'MATIH_DNS_DRIVER=azure needs MATIH_AZURE_SUBSCRIPTION_ID, a subscription id (a UUID)',
      'MATIH_DNS_DRIVER=azure needs MATIH_AZURE_DNS_RESOURCE_GROUP, the resource group holding the zones',
    ]);
    const half = configProblems({ MATIH_DNS_DRIVER: 'azure', MATIH_AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, MATIH_AZURE_DNS_RESOURCE_GROUP: 'rg-dns', AZURE_TENANT_ID: DIRECTORY, AZURE_CLIENT_SECRET: SECRET });
    expect(half).toEqual(['MATIH_DNS_DRIVER=azure: a service principal needs all of AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET; only AZURE_TENANT_ID, AZURE_CLIENT_SECRET set']);
    expect(half.join('\n')).not.toContain(SECRET);
    // Workload identity (the AKS webhook sets these two and a token file) and a user-assigned managed identity.
    const dns = { MATIH_DNS_DRIVER: 'azure', MATIH_AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, MATIH_AZURE_DNS_RESOURCE_GROUP: 'rg-dns' };
    expect(configProblems({ ...dns, AZURE_TENANT_ID: DIRECTORY, AZURE_CLIENT_ID: CLIENT })).toEqual([]);
    expect(configProblems({ ...dns, AZURE_CLIENT_ID: CLIENT })).toEqual([]);
    expect(configProblems({ MATIH_DNS_DRIVER: 'azure', MATIH_AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, MATIH_AZURE_DNS_RESOURCE_GROUP: 'rg-dns', MATIH_AZURE_MANAGEMENT_ENDPOINT: 'http://management.example' })).toEqual([
      'MATIH_AZURE_MANAGEMENT_ENDPOINT="http://management.example" must be an https URL',
    ]);
  });

  it('gives the service principal check and Terraform the AZURE_* service principal, and says which part is missing', () => {
    const config = loadConfig({ MATIH_SERVICE_PRINCIPAL: 'azure', AZURE_TENANT_ID: DIRECTORY, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET, MATIH_AZURE_SUBSCRIPTION_ID: SUBSCRIPTION });
    expect(config.enterprise.azure).toEqual({ directoryId: DIRECTORY, clientId: CLIENT, clientSecret: SECRET, subscriptionId: SUBSCRIPTION });
    const problems = configProblems({ MATIH_TERRAFORM: 'terraform', AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_SECRET: SECRET });
    expect(problems).toEqual(['MATIH_SERVICE_PRINCIPAL=azure or MATIH_TERRAFORM=terraform with the azure modules needs AZURE_TENANT_ID, MATIH_AZURE_SUBSCRIPTION_ID']);
    expect(loadConfig({ MATIH_TERRAFORM: 'terraform', MATIH_TERRAFORM_MODULES: 'builtin' }).enterprise.azure).toBeUndefined();
  });

  it('refuses the retired MATIH_AZURE_* credential names, naming their replacement, without echoing values', () => {
    const problems = configProblems({ MATIH_AZURE_TENANT_ID: DIRECTORY, MATIH_AZURE_CLIENT_ID: CLIENT, MATIH_AZURE_CLIENT_SECRET: SECRET });
    expect(problems).toEqual([
      "MATIH_AZURE_TENANT_ID is no longer read: set AZURE_TENANT_ID instead (the Azure SDK's name, used for every Azure client)",
      "MATIH_AZURE_CLIENT_ID is no longer read: set AZURE_CLIENT_ID instead (the Azure SDK's name, used for every Azure client)",
      "MATIH_AZURE_CLIENT_SECRET is no longer read: set AZURE_CLIENT_SECRET instead (the Azure SDK's name, used for every Azure client)",
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it("hands Terraform what it may inherit of the environment, and none of the control plane's own settings", () => {
    const terraform = loadConfig({
      MATIH_TERRAFORM: 'terraform',
      MATIH_TERRAFORM_MODULES: 'builtin',
      PATH: '/usr/bin',
      HOME: '/home/matih',
      HTTPS_PROXY: 'http://proxy:3128',
      TF_CLI_CONFIG_FILE: '/etc/tfrc',
      ARM_USE_MSI: 'true',
      DATABASE_URL: 'postgres://u:p@db/x',
      MATIH_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
      AZURE_CLIENT_SECRET: SECRET,
    }).enterprise.terraform;
    expect(terraform.kind === 'terraform' && terraform.hostEnv).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/matih',
      HTTPS_PROXY: 'http://proxy:3128',
      TF_CLI_CONFIG_FILE: '/etc/tfrc',
      ARM_USE_MSI: 'true',
    });
  });
});
