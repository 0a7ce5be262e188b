import crypto from 'node:crypto';
import { CreateLibraryBody, CreateStaffBody } from '@branchline/protocol';
import { system } from './platform/actor.ts';
import type { Deps } from './platform/deps.ts';
import { countStaff } from './modules/accounts/staff.repo.ts';
import { createStaff } from './modules/accounts/staff.service.ts';
import { seedDemoLibrary } from './modules/demo/demo.service.ts';
import { createLibrary, getDefaultLibrary } from './modules/libraries/libraries.service.ts';

export interface BootstrapReport {
  /** Lines for a person to read once, at start-up. Never logged: they can hold a password. */
  notice: string[];
}

/**
 * First start: seed the demo library (unless BRANCHLINE_DEMO=0) and make sure an administrator
 * exists — from BRANCHLINE_ADMIN_EMAIL/PASSWORD, or admin@localhost with a random password.
 */
export async function bootstrap(deps: Deps): Promise<BootstrapReport> {
  const notice: string[] = [];
  if ((await countStaff(deps.db)) > 0) return { notice };

  let library = await getDefaultLibrary(deps);
  const wantDemo = deps.config.demo ?? true;
  if (wantDemo && !library) {
    const demo = await seedDemoLibrary(deps);
    library = await getDefaultLibrary(deps);
    notice.push('Demo library "Three Rivers Public Library" created. Sign in at /staff with:');
    for (const login of demo.logins) notice.push(`  ${login.role.padEnd(10)} ${login.email}`);
    notice.push(`  password for every demo account: ${demo.password}`);
  }
  if (!library) {
    library = await createLibrary(
      deps,
      system,
      CreateLibraryBody.parse({ name: deps.config.libraryName, slug: 'library', timeZone: deps.config.timeZone }),
    );
  }
  const { adminEmail, adminPassword } = deps.config;
  // Also covers a first start that stopped half-way: a library but nobody to sign in.
  const stillNoStaff = (await countStaff(deps.db)) === 0;
  if (adminEmail && adminPassword) {
    await createStaff(
      deps,
      system,
      CreateStaffBody.parse({ name: 'Administrator', email: adminEmail, role: 'admin', password: adminPassword }),
      library.id,
    );
    notice.push(`Administrator ${adminEmail} created from BRANCHLINE_ADMIN_EMAIL.`);
  } else if (stillNoStaff) {
    const password = crypto.randomBytes(12).toString('base64url');
    await createStaff(
      deps,
      system,
      CreateStaffBody.parse({ name: 'Administrator', email: 'admin@localhost', role: 'admin', password }),
      library.id,
    );
    notice.push('Administrator created. Sign in at /staff and change this password (it is shown only once):');
    notice.push('  email:    admin@localhost');
    notice.push(`  password: ${password}`);
  }
  return { notice };
}
