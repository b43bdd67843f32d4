// The lint of `npm test` (scripts/test.sh), over src/ and queues/. Run from the repository root:
//   tools/lint/node_modules/.bin/eslint --config tools/lint/eslint.config.js src queues
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

const files = ['src/**/*.ts', 'queues/**/*.ts'];

export default tseslint.config({ files }, ...tseslint.configs.recommended, {
  files,
  plugins: { regexp },
  rules: {
    // Inbound mail and API bodies are hostile: a pattern that can backtrack super-linearly is a denial of service.
    'regexp/no-super-linear-backtracking': 'error',
    'regexp/no-super-linear-move': 'error',
    // The code's conventions: `_name` for what destructuring leaves out on purpose, a ternary as a statement.
    '@typescript-eslint/no-unused-vars': [
      'error',
      { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true },
    ],
    '@typescript-eslint/no-unused-expressions': ['error', { allowTernary: true }],
    // Functions small enough to read at once, lines that fit beside another file (prettier's printWidth).
    'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    'max-len': ['error', { code: 120, ignoreUrls: true }],
  },
});
