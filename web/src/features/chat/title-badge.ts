const BADGE = /^\(\d+\) /;

/** The document title with the number of chats waiting for this person in front: "(2) Chat — Branchline staff". */
export function badgedTitle(title: string, count: number): string {
  const bare = title.replace(BADGE, '');
  return count > 0 ? `(${count}) ${bare}` : bare;
}
