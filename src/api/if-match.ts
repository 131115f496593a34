import { ValidationError } from '../domain/errors.js';

/**
 * The version an If-Match header names, for the routes whose ETag is a version number
 * (`"3"`, weak `W/"3"` accepted); undefined when the header is absent.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match?.[1]) throw new ValidationError([{ in: 'headers', field: 'If-Match', message: 'must be an ETag this API returned, such as "3"' }]);
  return Number(match[1]);
}
