import { Link } from 'react-router';
import { PageHeading } from '../ui/page-heading.tsx';

export function NotFoundPage() {
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is no page at this address. If you typed it, check the spelling; if you followed a link, it may be out of
        date.
      </p>
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </>
  );
}
