import type { DeskMode } from '@branchline/protocol';

/** How a desk hands out incoming chats, in the words staff see. */
export const DESK_MODE_OPTIONS: readonly { value: DeskMode; short: string; label: string }[] = [
  { value: 'claim', short: 'Claim', label: 'Claim — ring everyone on shift, first to accept takes it' },
  { value: 'assign', short: 'Assign', label: 'Assign — offer to the least busy person' },
];

export function deskModeName(mode: DeskMode): string {
  return DESK_MODE_OPTIONS.find((option) => option.value === mode)?.short ?? mode;
}
