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
