import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (#/tenants/<id>): the server serves one page and never sees the route, so it needs
 * no fallback rules, and a reload lands where the user was.
 */
export type Route =
  | { page: 'tenants' }
  | { page: 'create' }
  | { page: 'tenant'; id: string }
  | { page: 'health' }
  | { page: 'api-keys' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/tenants') return { page: 'tenants' };
  if (path === '/tenants/new') return { page: 'create' };
  if (path === '/health') return { page: 'health' };
  if (path === '/api-keys') return { page: 'api-keys' };
  const tenant = /^\/tenants\/([0-9a-fA-F-]{36})$/.exec(path);
  if (tenant?.[1]) return { page: 'tenant', id: tenant[1].toLowerCase() };
  return { page: 'not-found', path };
}

export const links = {
  tenants: '#/tenants',
  create: '#/tenants/new',
  health: '#/health',
  apiKeys: '#/api-keys',
  tenant: (id: string) => `#/tenants/${id}`,
};

export function navigate(hash: string): void {
  location.hash = hash;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
