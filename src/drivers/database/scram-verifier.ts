import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { DriverError } from '../contract.js';

/** PostgreSQL's own default (scram_iterations, PG16; fixed before). */
const ITERATIONS = 4096;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const pbkdf2Async = promisify(pbkdf2);

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, the format of
 * pg_authid.rolpassword), computed here as psql's \password and libpq's PQencryptPasswordConn do.
 *
 * Why: the server accepts a verifier in CREATE/ALTER ROLE ... PASSWORD and stores it as is, so the
 * cleartext password never travels to the server and cannot surface in its logs
 * (log_statement = 'ddl'), in pg_stat_activity or in pg_stat_statements.
 *
 * The server runs the password through SASLprep before hashing; for printable ASCII SASLprep
 * changes nothing, so only such passwords are accepted (the control plane generates base64url
 * passwords). Anything else would need a full SASLprep here, and a mismatch would lock the tenant
 * out silently, so it is refused. The message never contains the password.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  checkPassword(password);
  return verifierOf(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256'), salt, iterations);
}

/**
 * The same verifier with the 4,096 rounds of PBKDF2 on libuv's thread pool: a few milliseconds
 * of CPU per tenant that would otherwise stall every other request and step of the process.
 */
export async function scramSha256VerifierAsync(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): Promise<string> {
  checkPassword(password);
  return verifierOf(await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256'), salt, iterations);
}

function checkPassword(password: string): void {
  if (!PRINTABLE_ASCII.test(password)) {
    throw new DriverError('a tenant database password must be non-empty printable ASCII', false);
  }
}

function verifierOf(salted: Buffer, salt: Buffer, iterations: number): string {
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
