// Who the page acts as: a portal session token (from the url fragment, /portal) or an API key typed into the
// connect form (/dashboard). The credential stays in this tab's sessionStorage and goes only to this origin.
import { HookdClient } from '../../src/client/api-client.js';
import type { WhoAmI } from '../../src/client/types.js';

const STORAGE_KEY = 'hookd.credential';

export type Base = '/dashboard' | '/portal';
export const base: Base = location.pathname.startsWith('/portal') ? '/portal' : '/dashboard';

/** A portal url carries its token in the fragment (never sent to a server or in a Referer): keep it, drop it from the address bar. */
export function takeTokenFromFragment(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  sessionStorage.setItem(STORAGE_KEY, token);
  history.replaceState(null, '', location.pathname + location.search);
}

export const storedCredential = (): string | null => sessionStorage.getItem(STORAGE_KEY);
export const rememberCredential = (credential: string): void => sessionStorage.setItem(STORAGE_KEY, credential);
export const forgetCredential = (): void => sessionStorage.removeItem(STORAGE_KEY);

export interface Session {
  who: WhoAmI;
  /** The credential's client; workspace principals' acts on their own workspace. */
  client: HookdClient;
  canWrite: boolean;
}

/** Asks hookd what the credential is; throws HookdApiError (401 for a wrong, expired or revoked one). */
export async function openSession(credential: string): Promise<Session> {
  const anonymous = new HookdClient(location.origin, credential);
  const who = await anonymous.whoAmI();
  const client = who.workspace_id ? anonymous.forWorkspace(who.workspace_id) : anonymous;
  return { who, client, canWrite: who.scopes.includes('webhooks:write') };
}
