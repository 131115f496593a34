/** Cloud providers a tenant can be placed on, and the regions each one offers. */
export const CloudProvider = {
  AZURE: 'AZURE',
  AWS: 'AWS',
  GCP: 'GCP',
} as const;
export type CloudProvider = (typeof CloudProvider)[keyof typeof CloudProvider];
export const CLOUD_PROVIDERS: readonly CloudProvider[] = Object.values(CloudProvider);

export const REGIONS: Readonly<Record<CloudProvider, readonly string[]>> = {
  AZURE: [
    'eastus', 'eastus2', 'centralus', 'westus2', 'westus3', 'canadacentral', 'brazilsouth',
    'northeurope', 'westeurope', 'uksouth', 'francecentral', 'germanywestcentral', 'swedencentral',
    'switzerlandnorth', 'southeastasia', 'eastasia', 'japaneast', 'koreacentral', 'australiaeast',
    'centralindia', 'uaenorth', 'southafricanorth',
  ],
  AWS: [
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1',
    'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-southeast-1', 'ap-southeast-2',
    'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'me-south-1', 'af-south-1',
  ],
  GCP: [
    'us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west2', 'northamerica-northeast1',
    'southamerica-east1', 'europe-west1', 'europe-west2', 'europe-west3', 'europe-west4',
    'europe-north1', 'asia-southeast1', 'asia-east1', 'asia-northeast1', 'asia-south1',
    'australia-southeast1',
  ],
};

export const DEFAULT_REGION: Readonly<Record<CloudProvider, string>> = {
  AZURE: 'eastus',
  AWS: 'us-east-1',
  GCP: 'us-central1',
};

export function parseCloudProvider(value: string): CloudProvider | undefined {
  const upper = value.trim().toUpperCase();
  return (CLOUD_PROVIDERS as readonly string[]).includes(upper) ? (upper as CloudProvider) : undefined;
}

export function isRegionOf(provider: CloudProvider, region: string): boolean {
  return REGIONS[provider].includes(region);
}
