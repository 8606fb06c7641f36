import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

/**
 * The layers of src/, bottom-up (docs/architecture.md). A folder never imports one above it, so a
 * back-arrow fails `npm run lint` (and with it `npm test`). Features on the same level do not import
 * each other either: what two of them share belongs one level down.
 */
const featureLevels = [
  ['kernel'],
  ['settings'],
  ['tenants', 'identity'],
  ['audit', 'numbers', 'connectwise'],
  ['teams', 'threecx'],
  ['bulk', 'voice-apps'],
  ['emergency', 'lifecycle'],
  ['demo', 'overview', 'search', 'reports'],
];
const feature = (name) => `./src/features/${name}`;
const featureZones = featureLevels.flatMap((level, index) =>
  level.map((name) => ({
    target: feature(name),
    from: featureLevels
      .slice(index)
      .flat()
      .filter((other) => other !== name)
      .map(feature),
    message: `features/${name} may import only lower features (kernel → settings → tenants, identity → audit, numbers, connectwise → teams, threecx → bulk, voice-apps → emergency, lifecycle → demo, overview, search, reports).`,
  })),
).filter((zone) => zone.from.length > 0);
const above = {
  core: ['config', 'db', 'connectors', 'jobs', 'http', 'features', 'app', 'cli', 'web'],
  config: ['core', 'db', 'connectors', 'jobs', 'http', 'features', 'app', 'cli', 'web'],
  connectors: ['db', 'jobs', 'http', 'features', 'app', 'cli', 'web'],
  db: ['connectors', 'jobs', 'http', 'features', 'app', 'cli', 'web'],
  jobs: ['connectors', 'http', 'features', 'app', 'cli', 'web'],
  http: ['features', 'app', 'cli', 'web'],
  features: ['app', 'cli', 'web'],
  app: ['cli', 'web'],
};
const layerZones = Object.entries(above).map(([layer, higher]) => ({
  target: `./src/${layer}`,
  from: higher.map((h) => `./src/${h}`),
  message: `src/${layer} may not import a layer above it (core, config → connectors, db → jobs → http → features → app → cli).`,
}));
// The web is a separate program (the browser's): it takes types from the features' schemas and
// values from core, nothing else of the server.
const webZone = {
  target: './src/web',
  from: ['./src/config', './src/db', './src/connectors', './src/jobs', './src/http', './src/app', './src/cli', './src/features'],
  except: ['./kernel/schemas.ts', './settings/schemas.ts', './tenants/schemas.ts', './identity/schemas.ts', './audit/schemas.ts', './numbers/schemas.ts', './connectwise/schemas.ts', './teams/schemas.ts', './threecx/schemas.ts', './bulk/schemas.ts', './voice-apps/schemas.ts', './voice-apps/resource-account-schemas.ts', './emergency/schemas.ts', './lifecycle/schemas.ts', './overview/schemas.ts', './search/schemas.ts', './reports/schemas.ts'],
  message: 'the web imports only types from the features\' schemas.ts and values from core.',
};
const simulatorZone = { target: './src', from: './simulators', message: 'the app never imports the simulators: it reaches them over HTTP like the real clouds.' };

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'src/db/migrations/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['src/**'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } } },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...layerZones, ...featureZones, webZone, simulatorZone] }] },
  },
  {
    // The browser gets no server code: from the features' schemas it may take types only.
    files: ['src/web/**'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/features/**'], allowTypeImports: true, message: 'the web takes only types from the features.' }] }] },
  },
  {
    // Tests read arbitrary JSON answers; typing each one would add noise, not safety.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The CLI talks to a person on the console; everything else logs through pino.
    files: ['src/cli/**', 'bench/**', 'simulators/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
);
