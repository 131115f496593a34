import { ClientSecretCredential, type ClientSecretCredentialOptions } from '@azure/identity';
import { DriverError, type ServicePrincipalRequest, type ServicePrincipalValidation, type ServicePrincipalValidator } from '../contract.js';
import { classifyTokenError, classifySubscriptionAnswer } from './azure-principal-errors.js';
import { redactor } from './terraform-env.js';

export interface AzureServicePrincipalOptions {
  /** The Microsoft Entra directory (tenant) of the service principal; not a MATIH tenant. */
  directoryId: string;
  clientId: string;
  /** A secret: used to ask for a token, never logged or reported. */
  clientSecret: string;
  subscriptionId: string;
  /** Default https://login.microsoftonline.com (sovereign clouds differ). */
  authorityHost?: string;
  /** Default https://management.azure.com. */
  resourceManagerUrl?: string;
  /** The identity library's HTTP client: tests answer token requests in process. */
  httpClient?: ClientSecretCredentialOptions['httpClient'];
  /** How the subscription is read: tests point it at a local fake. */
  fetch?: typeof fetch;
}

const SUBSCRIPTION_API_VERSION = '2022-12-01';

/**
 * The platform's Azure service principal, checked the way Terraform's azurerm provider will use
 * it: a token for the Resource Manager scope from Entra ID (client credentials), then a read of
 * the subscription with that token. A rejected secret, an unknown application or a subscription
 * it may not see make it invalid (permanent); the identity service or Resource Manager not
 * answering is a retryable DriverError.
 */
export class AzureServicePrincipals implements ServicePrincipalValidator {
  private readonly credential: ClientSecretCredential;
  private readonly resourceManager: string;
  private readonly redact: (text: string) => string;

  constructor(private readonly options: AzureServicePrincipalOptions) {
    this.credential = new ClientSecretCredential(options.directoryId, options.clientId, options.clientSecret, {
      ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
      ...(options.httpClient ? { httpClient: options.httpClient } : {}),
      // The engine retries with backoff; retrying inside one attempt only hides how long it waits.
      retryOptions: { maxRetries: 0 },
    });
    this.resourceManager = (options.resourceManagerUrl ?? 'https://management.azure.com').replace(/\/+$/, '');
    this.redact = redactor([options.clientSecret]);
  }

  async validate(request: ServicePrincipalRequest): Promise<ServicePrincipalValidation> {
    if (request.cloudProvider !== 'AZURE') {
      return { valid: false, reason: `an Azure service principal cannot build ${request.cloudProvider} infrastructure` };
    }
    let token: string;
    try {
      const answer = await this.credential.getToken(`${this.resourceManager}/.default`, request.signal ? { abortSignal: request.signal } : {});
      token = answer.token;
    } catch (error) {
      const verdict = classifyTokenError(this.redact(error instanceof Error ? error.message : String(error)));
      if (verdict.retryable) throw new DriverError(`could not check service principal ${this.options.clientId}: ${verdict.reason}`, true);
      return { valid: false, reason: `service principal ${this.options.clientId} was rejected: ${verdict.reason}` };
    }
    return this.checkSubscription(token, request.signal);
  }

  private async checkSubscription(token: string, signal: AbortSignal | undefined): Promise<ServicePrincipalValidation> {
    const { subscriptionId } = this.options;
    const url = `${this.resourceManager}/subscriptions/${encodeURIComponent(subscriptionId)}?api-version=${SUBSCRIPTION_API_VERSION}`;
    let status: number;
    let body: unknown;
    try {
      const response = await (this.options.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, ...(signal ? { signal } : {}) });
      status = response.status;
      body = await response.json().catch(() => undefined);
    } catch (error) {
      throw new DriverError(`could not read subscription ${subscriptionId}: ${error instanceof Error ? error.message : String(error)}`, true);
    }
    const verdict = classifySubscriptionAnswer(status, body);
    if (verdict.retryable) throw new DriverError(`could not read subscription ${subscriptionId}: ${verdict.reason}`, true);
    if (!verdict.valid) return { valid: false, subscriptionId, reason: `service principal ${this.options.clientId} cannot use subscription ${subscriptionId}: ${verdict.reason}` };
    return { valid: true, subscriptionId };
  }
}
