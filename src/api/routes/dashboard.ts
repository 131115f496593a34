import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../deps.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = 'dashboard not built: run npm run build\n';

/**
 * The admin dashboard (ui/, built by Vite) on the tenant API: `/` is its page, `/assets/*` its
 * bundles, `/dashboard-config.json` tells it where the infrastructure API listens. All public:
 * the page holds no data, it asks the API with the token its user signs in with.
 *
 * Vite names every bundle after its content hash, so assets are cached for a year; index.html
 * names the current ones and is revalidated on every load, so a rebuild shows at once. The
 * directory is read per request, so a build made while the service runs is picked up.
 */
export const dashboardRoutes: FastifyPluginAsyncTypebox<ApiDeps> = async (app, deps) => {
  const root = deps.dashboardDir === undefined ? undefined : path.resolve(deps.dashboardDir);

  app.get('/', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const html = root === undefined ? undefined : await readFile(path.join(root, 'index.html'), 'utf8').catch(() => undefined);
    if (html === undefined) return notFound(reply, NOT_BUILT);
    return reply
      .headers(securityHeaders(request, deps))
      .header('cache-control', 'no-cache')
      .type(CONTENT_TYPES['.html'] ?? 'text/html')
      .send(html);
  });

  app.get(
    '/assets/*',
    { config: { public: true }, schema: { hide: true, params: Type.Object({ '*': Type.String() }) } },
    async (request, reply) => {
      if (root === undefined) return notFound(reply, NOT_BUILT);
      const file = await resolveAsset(path.join(root, 'assets'), request.params['*']);
      if (file === undefined) return notFound(reply, 'no such dashboard file\n');
      return reply
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('content-length', String(file.size))
        .type(CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream')
        .send(createReadStream(file.path));
    },
  );

  app.get('/dashboard-config.json', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ infraPort: deps.infraPort?.() ?? null }),
  );
};

function notFound(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(message);
}

/**
 * A file below `dir` named by a URL path, or undefined. Refuses dot segments, backslashes and
 * NUL before touching the disk, then checks the real path (symlinks resolved) is still inside.
 */
async function resolveAsset(dir: string, relative: string): Promise<{ path: string; size: number } | undefined> {
  const segments = relative.split('/');
  if (relative.includes('\0') || relative.includes('\\') || segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  try {
    const realDir = await realpath(dir);
    const real = await realpath(path.join(dir, ...segments));
    if (!real.startsWith(realDir + path.sep)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page may load only its own bundles and talk only to this origin (API and WebSocket) and to
 * the infrastructure API on this host; it may not be framed.
 */
function securityHeaders(request: FastifyRequest, deps: ApiDeps): Record<string, string> {
  const infraPort = deps.infraPort?.();
  // The Host header is the client's to write: only a plain host name goes into the policy.
  const host = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(request.hostname) ? request.hostname : undefined;
  const infraOrigin = infraPort !== undefined && host !== undefined ? ` ${request.protocol}://${host}:${infraPort}` : '';
  return {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self'${infraOrigin}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
