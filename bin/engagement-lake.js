#!/usr/bin/env node
// The installed entry point: runs the TypeScript CLI through tsx, the same program as `npm run lake`.
require('tsx/cjs');
const { main } = require('../cli/src/index.ts');
main(process.argv).then((code) => {
  process.exitCode = code;
});
