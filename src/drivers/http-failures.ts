/** How the drivers that speak HTTP classify and describe failures, one rule for all of them. */

/**
 * HTTP statuses after which the same request can succeed: 408 (the server timed out waiting),
 * 429 (throttled) and 5xx (the service's own trouble). Every other 4xx will be refused again.
 * One rule for every driver that speaks HTTP; a driver adds the statuses its API gives a meaning
 * of its own (the Kubernetes API's 404/409/410 races).
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** undici reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, ECONNRESET...) is in the cause. */
export function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} (${cause.message})` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}
