import { CreateBranchBody, CreateDeskBody, CreateLibraryBody, CreateStaffBody } from '@branchline/protocol';
import { system } from '../../platform/actor.ts';
import type { Deps } from '../../platform/deps.ts';
import { createStaff } from '../accounts/staff.service.ts';
import { createBranch, createDesk, createLibrary } from '../libraries/libraries.service.ts';
import { DEMO_BRANCHES, DEMO_DESKS, DEMO_LIBRARY, DEMO_PASSWORD, DEMO_STAFF } from './demo-library.ts';

export interface DemoLogin {
  email: string;
  role: string;
  name: string;
}

/** Seeds a realistic library system so a newcomer sees a living product. */
export async function seedDemoLibrary(
  deps: Deps,
): Promise<{ libraryId: string; logins: DemoLogin[]; password: string }> {
  const library = await createLibrary(deps, system, CreateLibraryBody.parse(DEMO_LIBRARY));
  for (const branch of DEMO_BRANCHES) await createBranch(deps, system, library.id, CreateBranchBody.parse(branch));
  for (const desk of DEMO_DESKS) await createDesk(deps, system, library.id, CreateDeskBody.parse(desk));
  const logins: DemoLogin[] = [];
  for (const person of DEMO_STAFF) {
    const staff = await createStaff(
      deps,
      system,
      CreateStaffBody.parse({ ...person, password: DEMO_PASSWORD }),
      library.id,
    );
    logins.push({ email: staff.email, role: staff.role, name: staff.name });
  }
  return { libraryId: library.id, logins, password: DEMO_PASSWORD };
}
