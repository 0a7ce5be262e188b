import { useParams } from 'react-router';
import { useCreateStaff, useStaffMember, useUpdateStaff } from '../../../api/staff.ts';
import { PageHeading } from '../../../ui/page-heading.tsx';
import { LoadError, Loading } from '../../../ui/query-state.tsx';
import { useAnnounce } from '../../../ui/status-region.tsx';
import { useSession } from '../../auth/session-context.ts';
import { RequireAbility } from '../require-ability.tsx';
import { draftOfStaff, toCreateStaffBody, toUpdateStaffBody, type StaffDraft } from './staff-draft.ts';
import { StaffForm } from './staff-form.tsx';

const LIST = '/admin/staff';

export function StaffNewPage() {
  const create = useCreateStaff();
  const announce = useAnnounce();
  function save(draft: StaffDraft) {
    const emailed = draft.password === '';
    create.mutate(toCreateStaffBody(draft), {
      onSuccess: (staff) =>
        announce(
          emailed ? `Staff member saved. We've emailed ${staff.email} a link to set a password.` : 'Staff member saved',
          LIST,
        ),
    });
  }
  return (
    <RequireAbility anyOf={['staff.create']} title="New staff member">
      <PageHeading>New staff member</PageHeading>
      <StaffForm
        initial={draftOfStaff(undefined)}
        isNew
        isSelf={false}
        submitLabel="Add staff member"
        onSubmit={save}
        isPending={create.isPending}
        error={create.error}
      />
    </RequireAbility>
  );
}

export function StaffEditPage() {
  const { staffId = '' } = useParams();
  const session = useSession();
  const staff = useStaffMember(staffId);
  const update = useUpdateStaff(staffId);
  const announce = useAnnounce();
  const save = (draft: StaffDraft) =>
    update.mutate(toUpdateStaffBody(draft), { onSuccess: () => announce('Staff member saved', LIST) });
  return (
    <RequireAbility anyOf={['staff.update']} title="Edit staff member">
      <PageHeading title={staff.data ? `Edit ${staff.data.name}` : 'Edit staff member'}>
        Edit staff member{staff.data ? `: ${staff.data.name}` : ''}
      </PageHeading>
      {staff.isPending ? (
        <Loading what="the staff member" />
      ) : staff.isError ? (
        <LoadError error={staff.error} what="the staff member" />
      ) : (
        <StaffForm
          key={staff.data.id}
          initial={draftOfStaff(staff.data)}
          isNew={false}
          isSelf={staff.data.id === session.staff.id}
          submitLabel="Save staff member"
          onSubmit={save}
          isPending={update.isPending}
          error={update.error}
        />
      )}
    </RequireAbility>
  );
}
