import crypto from 'node:crypto';
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
    library = await createLibrary(deps, system, {
      name: deps.config.libraryName,
      slug: 'library',
      timeZone: deps.config.timeZone,
      contactEmail: '',
      contactPhone: '',
      websiteUrl: '',
    });
  }
  const { adminEmail, adminPassword } = deps.config;
  if (adminEmail && adminPassword) {
    await createStaff(
      deps,
      system,
      { name: 'Administrator', email: adminEmail, role: 'admin', languages: ['en'], password: adminPassword },
      library.id,
    );
    notice.push(`Administrator ${adminEmail} created from BRANCHLINE_ADMIN_EMAIL.`);
  } else if (!wantDemo) {
    const password = crypto.randomBytes(12).toString('base64url');
    await createStaff(
      deps,
      system,
      { name: 'Administrator', email: 'admin@localhost', role: 'admin', languages: ['en'], password },
      library.id,
    );
    notice.push('Administrator created. Sign in at /staff and change this password (it is shown only once):');
    notice.push('  email:    admin@localhost');
    notice.push(`  password: ${password}`);
  }
  return { notice };
}
