import type { ReactNode } from 'react';
import type { Ability } from '@branchline/protocol';
import { PageHeading } from '../../ui/page-heading.tsx';
import { hasAnyAbility, useSession } from '../auth/session-context.ts';

interface RequireAbilityProps {
  anyOf: readonly Ability[];
  title: string;
  children: ReactNode;
}

/** Shows the page only to people with one of the abilities; the server refuses the rest anyway. */
export function RequireAbility({ anyOf, title, children }: RequireAbilityProps) {
  const session = useSession();
  if (hasAnyAbility(session, anyOf)) return <>{children}</>;
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p>Your role does not allow you to see or change this. Ask an administrator if you need access.</p>
    </>
  );
}
