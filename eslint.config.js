// Type-aware linting: the rules that matter most here catch promises nobody awaits
// (a lost outbox write or an unhandled SMTP failure is a lost record).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.ts';

export default tseslint.config(
  { ignores: ['node_modules/', 'var/', 'coverage/', 'src/platform/db/database.types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['bin/*.mjs', 'eslint.config.js', 'templates/pages/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    files: ['bin/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The one browser script: plain ES5 for every browser, progressive enhancement only.
    files: ['templates/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly', Intl: 'readonly' } },
  },
);
