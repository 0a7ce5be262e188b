import type { CreateStaffBody, Staff, StaffRole, UpdateStaffBody } from '@branchline/protocol';

export interface StaffDraft {
  name: string;
  displayName: string;
  email: string;
  role: StaffRole;
  /** As typed: "en, es". */
  languages: string;
  /** As typed; a whole number from 1 to 10. */
  maxConcurrentChats: string;
  password: string;
  isActive: boolean;
}

export function draftOfStaff(staff: Staff | undefined): StaffDraft {
  if (!staff) {
    return {
      name: '',
      displayName: '',
      email: '',
      role: 'librarian',
      languages: 'en',
      maxConcurrentChats: '3',
      password: '',
      isActive: true,
    };
  }
  return {
    name: staff.name,
    displayName: staff.displayName,
    email: staff.email,
    role: staff.role,
    languages: staff.languages.join(', '),
    maxConcurrentChats: String(staff.maxConcurrentChats ?? 3),
    password: '',
    isActive: staff.isActive,
  };
}

/** "en, es" or "en es" → ["en", "es"]. */
export function parseLanguages(text: string): string[] {
  return text.split(/[\s,;]+/).filter(Boolean);
}

export function toCreateStaffBody(draft: StaffDraft): CreateStaffBody {
  return {
    name: draft.name,
    ...(draft.displayName.trim() ? { displayName: draft.displayName } : {}),
    email: draft.email,
    role: draft.role,
    languages: parseLanguages(draft.languages),
    maxConcurrentChats: Number(draft.maxConcurrentChats),
    ...(draft.password ? { password: draft.password } : {}),
  };
}

export function toUpdateStaffBody(draft: StaffDraft): UpdateStaffBody {
  return {
    name: draft.name,
    // An emptied display name is left as it was: the server requires one once it exists.
    ...(draft.displayName.trim() ? { displayName: draft.displayName } : {}),
    email: draft.email,
    role: draft.role,
    languages: parseLanguages(draft.languages),
    maxConcurrentChats: Number(draft.maxConcurrentChats),
    isActive: draft.isActive,
  };
}
