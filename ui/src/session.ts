import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { WhoAmI } from './types.js';

export interface Session {
  token: string;
  who: WhoAmI;
  signOut(message?: string): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export function isPlatformAdmin(session: Session): boolean {
  return session.who.role === 'platform_admin';
}
