/** Reads a whole number typed into a form; null when the text is not one. */
export function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}

/** Local errors for number fields that do not hold a whole number; null when all do. */
export function wholeNumberErrors(fields: Record<string, string>): Record<string, string> | null {
  const errors: Record<string, string> = {};
  for (const [path, text] of Object.entries(fields)) {
    if (wholeNumber(text) === null) errors[path] = 'Enter a whole number';
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
