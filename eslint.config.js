// ESLint (flat config): typescript-eslint's type-checked rules everywhere, Svelte's own rules for
// components, and the architecture as import rules. `npm run lint` runs it; `npm test` runs that.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** Paths (relative specifiers and import shortcuts) that reach another layer. */
const layer = (name) => [`#${name}/*`, `**/${name}/*`, `**/${name}`];

export default ts.config(
  {
    ignores: ['build/', 'web/.svelte-kit/', 'node_modules/', 'test-artifacts/', 'bench/results/', '.cache/', '.data/'],
  },
  js.configs.recommended,
  ts.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      // A promise nobody awaits is a bug unless marked: `void promise; // why` for deliberate
      // fire-and-forget and pipelined writes.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // The app is served at the root (no `paths.base`), and links are built by helpers from route ids that
      // tests visit; wrapping each of them in resolve() would add noise, not safety.
      'svelte/no-navigation-without-resolve': 'off',
      // `{' · '}` keeps a separator's spaces where Svelte would trim a bare one between inline elements.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Workflow code is deterministic and runs in Temporal's sandbox: the machine and its hosts only.
    files: ['workflows/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...layer('worker'), ...layer('db'), ...layer('activities'), ...layer('lib'), '**/web/*'],
              message: 'workflows/ imports nothing from worker/, db/, activities/ or web/: the machine is pure.',
            },
            { group: ['node:*'], message: 'workflow code does no I/O and imports no Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: layer('worker'), message: 'db/ imports nothing from worker/: the schema sits below the engine.' },
          ],
        },
      ],
    },
  },
  {
    files: ['web/src/lib/components/**', 'web/src/routes/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@trpc/server', '@trpc/server/*'],
              message: 'components render data; the API lives in web/src/lib/server/api.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [ts.configs.disableTypeChecked],
  },
);
