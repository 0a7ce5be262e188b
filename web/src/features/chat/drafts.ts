/** What was typed in one chat and not sent, and whether it was meant as an internal note. */
export interface Draft {
  text: string;
  isNote: boolean;
}

/**
 * What was typed in each chat and not sent, so switching chats loses nothing: the text, and the
 * "Internal note" choice, without which a note would come back as a reply to the patron. Kept in
 * memory only, and cleared when the live connection stops (sign-out or an ended session).
 */
export const drafts = new Map<string, Draft>();
