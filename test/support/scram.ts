import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

/**
 * Whether `password` is the one a stored SCRAM-SHA-256 verifier (pg_authid.rolpassword) was made
 * from: the check the server's SCRAM login makes (RFC 5802: StoredKey = H(HMAC(SaltedPassword,
 * "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")), written here from the RFC, apart
 * from the driver's code that makes verifiers, so that a test of one is not a test of itself. For
 * servers that trust local logins, where logging in proves nothing about the password.
 */
export function scramVerifierMatches(verifier: string | null, password: string): boolean {
  const match = verifier === null ? null : /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, storedKey, serverKey] = match as unknown as [string, string, string, string, string];
  const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return (
    createHash('sha256').update(clientKey).digest('base64') === storedKey &&
    createHmac('sha256', salted).update('Server Key').digest('base64') === serverKey
  );
}
