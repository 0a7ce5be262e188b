import type { Ability } from '@branchline/protocol';
import type { Actor } from '../../platform/actor.ts';
import { errors } from '../../platform/errors.ts';

export type LibraryAction =
  | 'library.read'
  | 'library.create'
  | 'library.update'
  | 'branch.read'
  | 'branch.create'
  | 'branch.update'
  | 'desk.read'
  | 'desk.create'
  | 'desk.update';

type Role = 'admin' | 'supervisor' | 'librarian' | 'partner';

/** Which roles may do what, within their own library. */
const RULES: Record<LibraryAction, readonly Role[]> = {
  'library.read': ['admin', 'supervisor', 'librarian', 'partner'],
  'library.create': ['admin'],
  'library.update': ['admin'],
  'branch.read': ['admin', 'supervisor', 'librarian'],
  'branch.create': ['admin'],
  'branch.update': ['admin'],
  'desk.read': ['admin', 'supervisor', 'librarian'],
  'desk.create': ['admin', 'supervisor'],
  'desk.update': ['admin', 'supervisor'],
};

/** `libraryId` is the library the resource belongs to (for a library, its own id). */
export function canOnLibrary(actor: Actor, action: LibraryAction, libraryId?: string): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind !== 'staff') return false;
  if (libraryId !== undefined && libraryId !== actor.libraryId) return false;
  return RULES[action].includes(actor.role);
}

/** Throws: unauthenticated for anonymous, not-found for another library's records, forbidden otherwise. */
export function authorizeOnLibrary(
  actor: Actor,
  action: LibraryAction,
  libraryId: string | undefined,
  what: string,
): void {
  if (actor.kind === 'anonymous') throw errors.unauthenticated();
  if (actor.kind === 'staff' && libraryId !== undefined && libraryId !== actor.libraryId) throw errors.notFound(what);
  if (!canOnLibrary(actor, action, libraryId)) throw errors.forbidden();
}

export function libraryAbilities(actor: Actor): Ability[] {
  const abilities: LibraryAction[] = [
    'library.read',
    'library.create',
    'library.update',
    'branch.create',
    'branch.update',
    'desk.create',
    'desk.update',
  ];
  return abilities.filter((a) => canOnLibrary(actor, a)) as Ability[];
}
