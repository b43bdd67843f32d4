// The lint of `npm test` (scripts/test.sh), over src/, queues/, test/, bench/ and scripts/. From the repository root:
//   tools/lint/node_modules/.bin/eslint --config tools/lint/eslint.config.js src queues test bench scripts
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

const files = ['src/**/*.ts', 'queues/**/*.ts'];
// The code's conventions: `_name` for what destructuring leaves out on purpose, a ternary as a statement.
const conventions = {
  '@typescript-eslint/no-unused-vars': [
    'error',
    { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true },
  ],
  '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
};

export default tseslint.config(
  { files },
  ...tseslint.configs.recommended,
  {
    files,
    plugins: { regexp },
    rules: {
      // Inbound mail and API bodies are hostile: a pattern that can backtrack super-linearly is a denial of service.
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      ...conventions,
      // Functions small enough to read at once, lines that fit beside another file (prettier's printWidth).
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-len': ['error', { code: 120, ignoreUrls: true }],
    },
  },
  {
    // Tests, benchmarks and scripts never read hostile input, and a test's body is one scenario read top to bottom:
    // no regexp rules, no function length. Test names stay whole on one line for `vitest -t`, so strings may pass 120.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      ...conventions,
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true }],
    },
  },
);
