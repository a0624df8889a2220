import tseslint from 'typescript-eslint';

// Layering of the gateway (docs/protocol.md, layers): the client library stands on protocol/ and
// transport/ only, never on the server (core/, mesh/, admin/, the composition root); apps reach
// the gateway only through the client's entry, gateway/client.
const CLIENT_MAY_NOT_IMPORT = {
  patterns: [
    {
      group: ['**/core/*', '**/mesh/*', '**/admin/*', '**/gateway/gateway', '../gateway', '../index'],
      message: 'gateway/client depends only on gateway/protocol and gateway/transport (no server code).',
    },
  ],
};
const APPS_MAY_NOT_IMPORT = {
  patterns: [
    {
      group: ['**/gateway/*', '**/gateway/*/**', '!**/gateway/client'],
      message: "apps import the gateway only through its client's entry: '../../gateway/client'.",
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'deploy/**', 'dist/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: ['gateway/client/**/*.ts'], rules: { 'no-restricted-imports': ['error', CLIENT_MAY_NOT_IMPORT] } },
  { files: ['apps/**/*.ts'], rules: { 'no-restricted-imports': ['error', APPS_MAY_NOT_IMPORT] } },
);
