import { createContext, useContext } from 'react';
import type { Ability, SessionInfo } from '@branchline/protocol';

export const SessionContext = createContext<SessionInfo | null>(null);

/** The signed-in person's session; only usable inside the signed-in part of the dashboard. */
export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() is only available once someone is signed in');
  return session;
}

export function hasAbility(session: SessionInfo, ability: Ability): boolean {
  return session.abilities.includes(ability);
}

export function hasAnyAbility(session: SessionInfo, abilities: readonly Ability[]): boolean {
  return abilities.some((ability) => session.abilities.includes(ability));
}

/** Whether the signed-in person may do this; the dashboard hides what the server would refuse. */
export function useCan(ability: Ability): boolean {
  return hasAbility(useSession(), ability);
}
