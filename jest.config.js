/** Jest runs the TypeScript sources directly; type errors are caught by `npm run typecheck`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } },
    ],
    // fastify's inject() loads `cookie`, which ships only as an ES module; compiled to CommonJS here
    // so server tests run in-process.
    'node_modules/cookie/.+\\.js$': [
      'ts-jest',
      { tsconfig: { module: 'commonjs', target: 'ES2022', allowJs: true, isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  testTimeout: 30000,
  maxWorkers: 2,
};
