/**
 * What was typed in each chat and not sent, so switching chats loses nothing. Kept in memory only,
 * and cleared when the live connection stops (sign-out or an ended session).
 */
export const drafts = new Map<string, string>();
