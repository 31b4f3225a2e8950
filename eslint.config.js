// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'appPackage/build/**', 'test/artifacts/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Repositories own the store (issue 12): a capability reaches another's data through that
    // capability's service or port, never its model; types may still be shared.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*/*.model.js'],
              allowTypeImports: true,
              message: "Another capability's model: ask its service or its port (*.port.ts) instead.",
            },
          ],
        },
      ],
    },
  },
  {
    // A guarded single-document write is atomic on FerretDB only under the per-document lock of
    // src/db/atomic-update.ts and atomic-delete.ts; outside them it is a lint error, not a memory test.
    files: ['src/**/*.ts', 'bot/**/*.ts'],
    ignores: ['src/db/atomic-update.ts', 'src/db/atomic-delete.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(findOneAndUpdate|findOneAndDelete|findOneAndReplace|findByIdAndUpdate|findByIdAndDelete)$/]",
          message: 'Use atomicUpdate / atomicDelete (src/db): on FerretDB this write is atomic only under their lock.',
        },
      ],
    },
  },
  {
    files: ['tab/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
  },
);
