import type { PlaceholderSection } from './placeholders.ts';
import { PageHeading } from '../../ui/page-heading.tsx';

/** A section whose screens are still to come: says in plain words what will live here. */
export function PlaceholderPage({ section }: { section: PlaceholderSection }) {
  return (
    <>
      <PageHeading>{section.title}</PageHeading>
      <p className="lead">{section.summary}</p>
      <p>{section.detail}</p>
      <p className="notice">This part of Branchline is not built yet.</p>
    </>
  );
}
