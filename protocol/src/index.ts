export * from './errors.ts';
export * from './common.ts';
export * from './hours.ts';
export * from './libraries.ts';
export * from './staff.ts';
export * from './auth.ts';
export * from './conversations.ts';
export * from './chat.ts';
