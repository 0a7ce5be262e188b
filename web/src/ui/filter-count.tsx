/** "Showing 3 of 12 branches", announced politely as a filter narrows the list. */
export function FilterCount({ shown, total, noun }: { shown: number; total: number; noun: [string, string] }) {
  const [one, many] = noun;
  const text =
    shown === total
      ? `${total} ${total === 1 ? one : many}`
      : `Showing ${shown} of ${total} ${total === 1 ? one : many}`;
  return (
    <p className="filter-count" role="status" aria-live="polite">
      {text}
    </p>
  );
}
