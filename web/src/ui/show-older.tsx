/** What "Show older …" needs of a paged query (TanStack Query's infinite query). */
interface Paged {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** The button under a list read newest first that reads the next, older page; nothing at the end. */
export function ShowOlder({ query, noun }: { query: Paged; noun: string }) {
  if (!query.hasNextPage) return null;
  return (
    <p>
      <button
        type="button"
        className="button"
        disabled={query.isFetchingNextPage}
        onClick={() => void query.fetchNextPage()}
      >
        {query.isFetchingNextPage ? `Loading older ${noun}…` : `Show older ${noun}`}
      </button>
    </p>
  );
}

/** "12 entries", and when older ones follow, says so: announced politely as the list changes. */
export function PagedCount({ count, more, noun }: { count: number; more: boolean; noun: [string, string] }) {
  const [one, many] = noun;
  return (
    <p className="filter-count" role="status" aria-live="polite">
      {count === 1 ? `1 ${one}` : `${count} ${many}`}
      {more ? `, newest first. Older ${many} follow.` : ''}
    </p>
  );
}
