import { useEffect, useRef, type ReactNode } from 'react';
import { useLocation } from 'react-router';

interface PageHeadingProps {
  children: ReactNode;
  /** The document title's first part; defaults to the heading when it is plain text. */
  title?: string;
}

/** The first page shown after loading keeps the browser's own start; later pages move focus. */
let isFirstPage = true;

/**
 * The page's one h1. It sets the document title and takes focus whenever the path changes,
 * so a screen reader announces the new page and Tab continues from the top of its content.
 * On the very first page of a visit focus stays where the browser put it (the skip link comes first).
 */
export function PageHeading({ children, title }: PageHeadingProps) {
  const ref = useRef<HTMLHeadingElement>(null);
  const { pathname } = useLocation();
  const documentTitle = title ?? (typeof children === 'string' ? children : '');

  useEffect(() => {
    document.title = documentTitle ? `${documentTitle} — Branchline staff` : 'Branchline staff';
  }, [documentTitle]);

  useEffect(() => {
    if (isFirstPage) {
      isFirstPage = false;
      return;
    }
    ref.current?.focus();
  }, [pathname]);

  return (
    <h1 ref={ref} tabIndex={-1} className="page-heading">
      {children}
    </h1>
  );
}
