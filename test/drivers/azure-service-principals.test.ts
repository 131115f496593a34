import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DriverError } from '../../src/drivers/contract.js';
import { classifySubscriptionAnswer, classifyTokenError } from '../../src/drivers/terraform/azure-principal-errors.js';
import { type AzureServicePrincipalOptions, AzureServicePrincipals } from '../../src/drivers/terraform/azure-service-principals.js';

/**
 * The Azure service principal check, with the real @azure/identity ClientSecretCredential (MSAL
 * underneath) whose HTTP client answers Entra ID's token endpoint in process (the credential
 * cannot be pointed at a plain-HTTP loopback authority: MSAL insists on https), and Resource
 * Manager's subscription read served on loopback. Nothing reaches Azure.
 */

const SECRET = 'sp-secret-value-0123456789';
const SUBSCRIPTION = '11111111-2222-4333-8444-555555555555';

interface TokenCall {
  url: string;
  form: URLSearchParams;
}

type TokenAnswer = { status: number; body: unknown } | 'network-down';

/** Just enough of core-rest-pipeline's HttpHeaders for the identity library. */
function headers(init: Record<string, string>) {
  const map = new Map(Object.entries(init).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    get: (name: string) => map.get(name.toLowerCase()),
    has: (name: string) => map.has(name.toLowerCase()),
    set: (name: string, value: string | number | boolean) => void map.set(name.toLowerCase(), String(value)),
    delete: (name: string) => void map.delete(name.toLowerCase()),
    toJSON: () => Object.fromEntries(map),
    [Symbol.iterator]: () => map.entries(),
  };
}

function fakeEntraId(calls: TokenCall[], answer: () => TokenAnswer): AzureServicePrincipalOptions['httpClient'] {
  const client = {
    async sendRequest(request: { url: string; method: string; body?: unknown }) {
      calls.push({ url: request.url, form: new URLSearchParams(typeof request.body === 'string' ? request.body : '') });
      const a = answer();
      if (a === 'network-down') throw Object.assign(new Error('connect ECONNREFUSED 20.190.160.1:443'), { code: 'ECONNREFUSED' });
      return { request, status: a.status, headers: headers({ 'content-type': 'application/json' }), bodyAsText: JSON.stringify(a.body) };
    },
  };
  // The test double implements only what the credential calls (sendRequest); the full HttpClient
  // type pulls in core-rest-pipeline's request and header classes, which a fake does not need.
  return client as unknown as AzureServicePrincipalOptions['httpClient'];
}

const TOKEN_OK: TokenAnswer = { status: 200, body: { token_type: 'Bearer', expires_in: 3599, access_token: 'arm-token-abc' } };

describe('the Azure service principal validator', () => {
  let arm: Server;
  let armUrl: string;
  let armAnswer: { status: number; body: unknown };
  const armCalls: { path: string; authorization?: string }[] = [];
  let tokenCalls: TokenCall[];
  let tokenAnswer: TokenAnswer;

  beforeAll(async () => {
    arm = createServer((req, res) => {
      armCalls.push({ path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.writeHead(armAnswer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(armAnswer.body));
    });
    await new Promise<void>((resolve) => arm.listen(0, '127.0.0.1', resolve));
    armUrl = `http://127.0.0.1:${(arm.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => arm.close(() => resolve()));
  });
  beforeEach(() => {
    armCalls.length = 0;
    tokenCalls = [];
    tokenAnswer = TOKEN_OK;
    armAnswer = { status: 200, body: { subscriptionId: SUBSCRIPTION, state: 'Enabled' } };
  });

  function validator(): AzureServicePrincipals {
    return new AzureServicePrincipals({
      directoryId: 'contoso-directory',
      clientId: 'app-1234',
      clientSecret: SECRET,
      subscriptionId: SUBSCRIPTION,
      resourceManagerUrl: armUrl,
      httpClient: fakeEntraId(tokenCalls, () => tokenAnswer),
    });
  }

  it('asks Entra ID for a Resource Manager token with the client credentials, then reads the subscription with it', async () => {
    expect(await validator().validate({ tenantId: 't-1', cloudProvider: 'AZURE' })).toEqual({ valid: true, subscriptionId: SUBSCRIPTION });
    expect(tokenCalls).toHaveLength(1);
    const call = tokenCalls[0]!;
    expect(new URL(call.url).pathname).toBe('/contoso-directory/oauth2/v2.0/token');
    expect(call.form.get('grant_type')).toBe('client_credentials');
    expect(call.form.get('client_id')).toBe('app-1234');
    expect(call.form.get('client_secret')).toBe(SECRET);
    expect(call.form.get('scope')).toBe(`${armUrl}/.default`);
    expect(armCalls).toEqual([{ path: `/subscriptions/${SUBSCRIPTION}?api-version=2022-12-01`, authorization: 'Bearer arm-token-abc' }]);
  });

  it('is invalid, with Entra ID reason and without the secret, when the secret is wrong', async () => {
    tokenAnswer = {
      status: 401,
      body: { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent is the client secret value (${SECRET}).`, error_codes: [7000215] },
    };
    const result = await validator().validate({ tenantId: 't-1', cloudProvider: 'AZURE' });
    expect(result.valid).toBe(false);
    expect(result.reason).toMatch(/^service principal app-1234 was rejected: AADSTS7000215: Invalid client secret provided\./);
    expect(result.reason).not.toContain(SECRET);
    expect(armCalls).toEqual([]);
  });

  it('throws a retryable DriverError when Entra ID cannot be reached', async () => {
    tokenAnswer = 'network-down';
    const error = await validator().validate({ tenantId: 't-1', cloudProvider: 'AZURE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).retryable).toBe(true);
    expect((error as DriverError).message).not.toContain(SECRET);
  });

  it.each([
    [403, { error: { code: 'AuthorizationFailed', message: 'no access' } }, 'AuthorizationFailed (403)'],
    [404, { error: { code: 'SubscriptionNotFound', message: 'gone' } }, 'SubscriptionNotFound (404)'],
    [200, { subscriptionId: SUBSCRIPTION, state: 'Disabled' }, 'the subscription is Disabled'],
  ])('is invalid when Resource Manager answers %s', async (status, body, reason) => {
    armAnswer = { status, body };
    const result = await validator().validate({ tenantId: 't-1', cloudProvider: 'AZURE' });
    expect(result).toEqual({ valid: false, subscriptionId: SUBSCRIPTION, reason: `service principal app-1234 cannot use subscription ${SUBSCRIPTION}: ${reason}` });
  });

  it('throws a retryable DriverError when Resource Manager is throttling or failing', async () => {
    armAnswer = { status: 503, body: { error: { code: 'ServiceUnavailable' } } };
    const error = await validator().validate({ tenantId: 't-1', cloudProvider: 'AZURE' }).catch((e: unknown) => e);
    expect((error as DriverError).retryable).toBe(true);
    expect((error as DriverError).message).toBe(`could not read subscription ${SUBSCRIPTION}: ServiceUnavailable (503)`);
  });

  it('rejects a tenant on another cloud without asking anyone', async () => {
    expect(await validator().validate({ tenantId: 't-1', cloudProvider: 'AWS' })).toEqual({ valid: false, reason: 'an Azure service principal cannot build AWS infrastructure' });
    expect(tokenCalls).toEqual([]);
  });
});

describe('the mapping of Entra ID and Resource Manager answers', () => {
  it.each([
    ['invalid_client: Error(s): 7000215 - Timestamp: x - Description: AADSTS7000215: Invalid client secret provided. - Correlation ID: y', false, 'AADSTS7000215: Invalid client secret provided.'],
    ['unauthorized_client: Description: AADSTS700016: Application with identifier app-1 was not found in the directory. - Trace ID: z', false, 'AADSTS700016: Application with identifier app-1 was not found in the directory.'],
    ['invalid_request: Description: AADSTS90002: Tenant contoso not found. - Correlation ID: y', false, 'AADSTS90002: Tenant contoso not found.'],
    ['temporarily_unavailable: Description: AADSTS90033: A transient error has occurred. Please try again. - Correlation ID: y', true, 'AADSTS90033: A transient error has occurred. Please try again.'],
    ['network_error: See https://aka.ms/msal.js.errors#network_error for details', true, 'network_error: See https://aka.ms/msal.js.errors#network_error for details'],
  ])('token error %#', (message, retryable, reason) => {
    expect(classifyTokenError(message)).toEqual({ retryable, reason });
  });

  it.each([
    [200, { state: 'Enabled' }, { valid: true, retryable: false }],
    [200, { state: 'PastDue' }, { valid: true, retryable: false }],
    [200, { state: 'Deleted' }, { valid: false, retryable: false }],
    [401, {}, { valid: false, retryable: false }],
    [429, {}, { valid: false, retryable: true }],
    [500, {}, { valid: false, retryable: true }],
  ])('subscription answer %s %j', (status, body, verdict) => {
    expect(classifySubscriptionAnswer(status, body)).toMatchObject(verdict);
  });
});
