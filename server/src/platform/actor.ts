import type { StaffRole } from '@branchline/protocol';

/** Who is asking. Services take an actor and authorize against it; they never read HTTP. */
export type Actor = AnonymousActor | StaffActor | SystemActor;

export interface AnonymousActor {
  kind: 'anonymous';
}

export interface StaffActor {
  kind: 'staff';
  staffId: string;
  libraryId: string;
  role: StaffRole;
}

/** The server itself: start-up, the CLI and jobs. */
export interface SystemActor {
  kind: 'system';
}

export const anonymous: AnonymousActor = { kind: 'anonymous' };
export const system: SystemActor = { kind: 'system' };

export function isStaff(actor: Actor): actor is StaffActor {
  return actor.kind === 'staff';
}
