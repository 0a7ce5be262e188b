/** Whether any of the texts contains every word of the filter, ignoring case and accents. */
export function matchesFilter(filter: string, texts: readonly string[]): boolean {
  const words = normalise(filter).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalise(texts.join(' '));
  return words.every((word) => haystack.includes(word));
}

function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}
