import { useParams } from 'react-router';
import { useCreateDesk, useDesk, useUpdateDesk } from '../../../api/desks.ts';
import { useLibrary } from '../../../api/libraries.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { DeskForm, draftOfDesk, type DeskBody } from './desk-form.tsx';

const LIST = '/admin/desks';

export function DeskNewPage() {
  const { libraryId } = useSession().staff;
  const library = useLibrary(libraryId);
  const create = useCreateDesk(libraryId);
  const announce = useAnnounce();
  const save = (body: DeskBody) => create.mutate(body, { onSuccess: () => announce('Desk saved', LIST) });
  return (
    <RequireAbility anyOf={['desk.create']} title="New desk">
      <PageHeading>New desk</PageHeading>
      <DeskForm
        initial={draftOfDesk(undefined)}
        submitLabel="Create desk"
        onSubmit={save}
        isPending={create.isPending}
        error={create.error}
        timeZone={library.data?.timeZone}
      />
    </RequireAbility>
  );
}

export function DeskEditPage() {
  const { deskId = '' } = useParams();
  const { libraryId } = useSession().staff;
  const library = useLibrary(libraryId);
  const desk = useDesk(deskId);
  const update = useUpdateDesk(deskId);
  const announce = useAnnounce();
  const save = (body: DeskBody) => update.mutate(body, { onSuccess: () => announce('Desk saved', LIST) });
  return (
    <RequireAbility anyOf={['desk.update']} title="Edit desk">
      <PageHeading title={desk.data ? `Edit ${desk.data.name}` : 'Edit desk'}>
        Edit desk{desk.data ? `: ${desk.data.name}` : ''}
      </PageHeading>
      {desk.isPending ? (
        <Loading what="the desk" />
      ) : desk.isError ? (
        <LoadError error={desk.error} what="the desk" />
      ) : (
        <DeskForm
          key={desk.data.id}
          initial={draftOfDesk(desk.data)}
          submitLabel="Save desk"
          onSubmit={save}
          isPending={update.isPending}
          error={update.error}
          timeZone={library.data?.timeZone}
        />
      )}
    </RequireAbility>
  );
}
