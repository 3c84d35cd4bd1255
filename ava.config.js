// Tests are written in TypeScript and compiled by `tsc -b` next to the sources;
// ava runs the compiled files (pnpm test builds first).
export default {
  files: [
    'packages/*/dist/test/**/*.test.js',
    'plugins/*/dist/test/**/*.test.js',
    'test/dist/e2e/**/*.test.js',
    'test/dist/scale/**/*.test.js',
    'test/dist/usb-guest/**/*.test.js',
  ],
  timeout: '2m',
  nodeArguments: ['--enable-source-maps'],
};
