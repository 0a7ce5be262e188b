import type { MouseEvent } from 'react';

function skipToMain(event: MouseEvent<HTMLAnchorElement>): void {
  const main = document.getElementById('main');
  if (!main) return;
  event.preventDefault();
  main.focus();
}

/** The first focusable element on every page: jumps past the header and navigation. */
export function SkipLink() {
  return (
    <a href="#main" className="skip-link" onClick={skipToMain}>
      Skip to main content
    </a>
  );
}
