import { ApiException, type Configuration, HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import { DriverError } from '../contract.js';

export { HttpMethod };

export interface RestRequest {
  query?: Readonly<Record<string, string>>;
  contentType?: string;
  body?: string;
  /** The caller giving up (a wait that ended); the request's own timeout applies as well. */
  signal?: AbortSignal;
}

/**
 * JSON over the API server's REST paths, through client-node's transport: its KubeConfig
 * authentication (tokens, client certificates, exec plugins, token files that rotate), TLS and
 * proxy agents.
 *
 * Why not KubernetesObjectApi: it passes bodies through the generated typed models, which
 * silently drop every field the models do not know (checked on 1.4.0: an unknown container
 * field vanishes from a Deployment) and turn timestamps into Date objects. For server-side apply
 * a dropped field is worse than an error: the API server takes its absence as "no longer
 * managed" and removes it. Here bodies go out as the caller wrote them and come back as the
 * API server sent them.
 */
export class KubeRestClient {
  constructor(
    private readonly configuration: Configuration,
    private readonly timeoutMs: number,
  ) {}

  static fromKubeConfig(config: KubeConfig, timeoutMs: number): KubeRestClient {
    // makeApiClient is client-node's way to turn a KubeConfig into a Configuration (server,
    // authentication); a one-line API class captures it.
    const { configuration } = config.makeApiClient(ConfigurationOnly);
    return new KubeRestClient(configuration, timeoutMs);
  }

  /**
   * The parsed JSON answer (undefined for an empty one). Throws an ApiException for a non-2xx
   * status, a retryable DriverError when the API server did not answer within the timeout, and
   * the transport's error otherwise.
   */
  async request(method: HttpMethod, path: string, options: RestRequest = {}): Promise<unknown> {
    const context = this.configuration.baseServer.makeRequestContext(path, method);
    context.setHeaderParam('Accept', 'application/json');
    for (const [name, value] of Object.entries(options.query ?? {})) context.setQueryParam(name, value);
    if (options.body !== undefined) {
      context.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      context.setBody(options.body);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    context.setSignal(options.signal ? AbortSignal.any([options.signal, timeout]) : timeout);
    await this.configuration.authMethods.default?.applySecurityAuthentication(context);

    try {
      const response = await this.configuration.httpApi.send(context).toPromise();
      const text = await response.body.text();
      if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
        // The body is the API server's Status; error-classification.ts reads its message.
        throw new ApiException<string>(response.httpStatusCode, 'Unsuccessful HTTP Request', text, response.headers);
      }
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (error) {
      if (timeout.aborted && !options.signal?.aborted) {
        throw new DriverError(`${method} ${path}: no answer from the API server within ${this.timeoutMs} ms`, true);
      }
      throw error;
    }
  }
}

class ConfigurationOnly {
  constructor(readonly configuration: Configuration) {}
}
