import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const ourPackages = ['@branchline/server', '@branchline/web', '@branchline/widget'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'e2e/artifacts/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // The protocol is shared by every package and depends on none of ours.
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@branchline/*', '../../*', '../server/*', '../web/*', '../widget/*'],
              message: 'protocol imports none of our packages',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard and the widget talk to the server only over HTTP and WebSocket.
    files: ['web/**/*.{ts,tsx}', 'widget/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ourPackages.map((name) => ({ name, message: 'web and widget depend on @branchline/protocol only' })),
          patterns: [
            { group: ['**/server/**', '**/server/src/**'], message: 'web and widget never import server code' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/web/src/**', '**/widget/src/**'], message: 'the server does not import front-end code' },
          ],
        },
      ],
    },
  },
  {
    // Modules call each other's services, never each other's tables (see architecture.test.ts).
    files: ['server/src/modules/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/web/src/**', '**/widget/src/**'], message: 'the server does not import front-end code' },
            {
              group: ['../*/*.repo.ts'],
              message: "a module calls another module's service, never its repository",
            },
          ],
        },
      ],
    },
  },
  {
    // Migrations must keep working as the application changes.
    files: ['server/src/platform/db/migrations/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../*', '../*', '@branchline/*'], message: 'migrations import only kysely and each other' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'server/src/cli.ts', 'server/src/main.ts'],
    rules: { 'no-console': 'off' },
  },
);
