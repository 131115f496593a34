import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';

/**
 * Serves HTTPS on loopback with `cert`/`key` and connects to it as `servername`, trusting only
 * `ca`: resolves with the peer's verification result (authorized, or the error code), the way a
 * browser that trusts only the platform's CA would judge the tenant's certificate.
 */
export async function handshake(pem: { cert: string; key: string; ca: string }, servername: string): Promise<{ authorized: boolean; error?: string }> {
  const server = https.createServer({ cert: pem.cert, key: pem.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: [pem.ca], rejectUnauthorized: false }, () => {
        const error = socket.authorizationError;
        resolve(socket.authorized ? { authorized: true } : { authorized: false, error: typeof error === 'string' ? error : error?.message ?? 'unknown' });
        socket.end();
      });
      socket.on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
