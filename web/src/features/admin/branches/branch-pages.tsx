import { useParams } from 'react-router';
import { useBranch, useCreateBranch, useUpdateBranch } from '../../../api/branches.ts';
import { useLibrary } from '../../../api/libraries.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { BranchForm, draftOfBranch, type BranchDraft } from './branch-form.tsx';

const LIST = '/admin/branches';

export function BranchNewPage() {
  const { libraryId } = useSession().staff;
  const library = useLibrary(libraryId);
  const create = useCreateBranch(libraryId);
  const announce = useAnnounce();
  const save = (draft: BranchDraft) => create.mutate(draft, { onSuccess: () => announce('Branch saved', LIST) });
  return (
    <RequireAbility anyOf={['branch.create']} title="New branch">
      <PageHeading>New branch</PageHeading>
      <BranchForm
        initial={draftOfBranch(undefined)}
        submitLabel="Create branch"
        onSubmit={save}
        isPending={create.isPending}
        error={create.error}
        timeZone={library.data?.timeZone}
      />
    </RequireAbility>
  );
}

export function BranchEditPage() {
  const { branchId = '' } = useParams();
  const { libraryId } = useSession().staff;
  const library = useLibrary(libraryId);
  const branch = useBranch(branchId);
  const update = useUpdateBranch(branchId);
  const announce = useAnnounce();
  const save = (draft: BranchDraft) => update.mutate(draft, { onSuccess: () => announce('Branch saved', LIST) });
  return (
    <RequireAbility anyOf={['branch.update']} title="Edit branch">
      <PageHeading title={branch.data ? `Edit ${branch.data.name}` : 'Edit branch'}>
        Edit branch{branch.data ? `: ${branch.data.name}` : ''}
      </PageHeading>
      {branch.isPending ? (
        <Loading what="the branch" />
      ) : branch.isError ? (
        <LoadError error={branch.error} what="the branch" />
      ) : (
        <BranchForm
          key={branch.data.id}
          initial={draftOfBranch(branch.data)}
          submitLabel="Save branch"
          onSubmit={save}
          isPending={update.isPending}
          error={update.error}
          timeZone={library.data?.timeZone}
        />
      )}
    </RequireAbility>
  );
}
