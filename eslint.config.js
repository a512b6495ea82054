// @ts-check
import js from '@eslint/js'
import stylistic from '@stylistic/eslint-plugin'
import tseslint from 'typescript-eslint'

// The layers (STYLE.md 3, 12): the domain knows no storage, web or HTTP framework;
// routes reach storage only through the domain; an agency's handler sees only its contract.
const storage = ['**/db/**', 'kysely', 'pg', 'better-sqlite3']
const web = ['**/web/**', '**/routes/**', 'express', 'express-*', 'passport', 'passport-*']

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'test-results/', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The formatter: one house style, checked by npm run lint and applied by npm run format.
  stylistic.configs.customize({ indent: 2, quotes: 'single', semi: false, commaDangle: 'always-multiline', braceStyle: '1tbs', arrowParens: true }),
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
      '@stylistic/operator-linebreak': ['error', 'before'],
      '@stylistic/member-delimiter-style': 'off',
      '@stylistic/quote-props': ['error', 'as-needed'],
      '@stylistic/multiline-ternary': 'off',
      '@stylistic/list-style': 'off',
      '@stylistic/max-statements-per-line': 'off',
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
    },
  },
  {
    files: ['server/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: storage, message: 'The domain is handed its storage as ports (server/domain/ports.ts and each area\'s repository.ts).' },
        { group: web, message: 'The domain knows nothing of HTTP: routes translate requests to use cases.' },
      ] }],
    },
  },
  {
    files: ['server/routes/**/*.ts', 'server/web/**/*.ts', 'views/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: storage, message: 'Routes reach storage only through the domain\'s services.' },
      ] }],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '/server/(?!domain/routing/handlerContract\\.js$)', message: 'A handler sees only its contract (server/domain/routing/handlerContract.ts).' },
      ] }],
    },
  },
  {
    files: ['examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '/server/', message: 'The reference agency talks to the portal over HTTP only, as any agency\'s system would.' },
      ] }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
)
