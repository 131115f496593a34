import { DriverError } from '../contract.js';

/**
 * Anonymous PL/pgSQL blocks: how a setup script decides on the server (create or alter, refuse an
 * object that is not the tenant's) without a round trip to read first. The body is built from
 * quoted identifiers and literals only (identifiers.ts); the dollar quote must not occur in it.
 */
const TAG = '$matih$';

export function doBlock(body: string, declare = ''): string {
  const text = `${declare === '' ? '' : `DECLARE ${declare}\n`}BEGIN\n${body}\nEND`;
  if (text.includes(TAG)) throw new DriverError(`a PL/pgSQL block may not contain ${TAG}`, false);
  return `DO ${TAG}${text}${TAG};`;
}
