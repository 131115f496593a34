import { ApiException, type Configuration, HttpMethod, type KubeConfig } from '@kubernetes/client-node';
import { DriverError } from '../contract.js';
import type { RequestGuard } from './api-permissions.js';

export { HttpMethod };

export interface RestRequest {
  query?: Readonly<Record<string, string>>;
  contentType?: string;
  body?: string;
  /** The Accept header; application/json unless given. */
  accept?: string;
  /** The caller giving up (a wait that ended); the request's own timeout applies as well. */
  signal?: AbortSignal;
}

/** One answer as it came, whatever its status. */
export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** The body as text, cut to `maxBodyChars` when the request asked for that. */
  body: string;
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
    /** Checks each request before it is sent (api-permissions.ts); throws to refuse it. */
    private readonly guard?: RequestGuard,
  ) {}

  static fromKubeConfig(config: KubeConfig, timeoutMs: number, guard?: RequestGuard): KubeRestClient {
    // makeApiClient is client-node's way to turn a KubeConfig into a Configuration (server,
    // authentication); a one-line API class captures it.
    const { configuration } = config.makeApiClient(ConfigurationOnly);
    return new KubeRestClient(configuration, timeoutMs, guard);
  }

  /**
   * The parsed JSON answer (undefined for an empty one). Throws an ApiException for a non-2xx
   * status, a retryable DriverError when the API server did not answer within the timeout, and
   * the transport's error otherwise.
   */
  async request(method: HttpMethod, path: string, options: RestRequest = {}): Promise<unknown> {
    const answer = await this.exchange(method, path, options);
    if (answer.status < 200 || answer.status > 299) {
      // The body is the API server's Status; error-classification.ts reads its message.
      throw new ApiException<string>(answer.status, 'Unsuccessful HTTP Request', answer.body, { ...answer.headers });
    }
    return answer.body === '' ? undefined : (JSON.parse(answer.body) as unknown);
  }

  /**
   * One request, and its answer whatever the status: for callers to whom a non-2xx is an answer
   * rather than a failure (the service proxy, where it is the service speaking). Throws only when
   * there is no answer: a retryable DriverError after the timeout, the transport's error
   * otherwise (an abort by `signal` included).
   *
   * `maxBodyChars` keeps only the start of the body. client-node's transport reads a body whole
   * before it hands it over, so this bounds what the caller holds and passes on, not what is
   * read; the request timeout bounds that.
   */
  async exchange(method: HttpMethod, path: string, options: RestRequest & { maxBodyChars?: number } = {}): Promise<RawResponse> {
    this.guard?.({ method, path, ...(options.query ? { query: options.query } : {}), ...(options.contentType ? { contentType: options.contentType } : {}) });
    // client-node drops a trailing slash from every URL (RequestContext.getUrl); an empty query
    // keeps it ("/proxy/" and "/proxy" are different paths to a proxied service).
    const keepSlash = path.endsWith('/') && Object.keys(options.query ?? {}).length === 0 ? '?' : '';
    const context = this.configuration.baseServer.makeRequestContext(`${path}${keepSlash}`, method);
    context.setHeaderParam('Accept', options.accept ?? 'application/json');
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
      const body = options.maxBodyChars === undefined ? text : text.slice(0, options.maxBodyChars);
      return { status: response.httpStatusCode, headers: response.headers, body };
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
