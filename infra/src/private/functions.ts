import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

/**
 * A Lambda function of the lake: Node.js 22 on arm64, bundled by the local esbuild (no Docker) into
 * one minified CommonJS file. The runtime and the esbuild target are set here only, so they move
 * together for every function (see the AwsSolutions-L1 acknowledgement in nag.ts).
 */
export function createNodeFunction(
  scope: Construct,
  id: string,
  props: nodejs.NodejsFunctionProps,
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    ...props,
    bundling: {
      minify: true,
      target: 'node22',
      format: nodejs.OutputFormat.CJS,
      forceDockerBundling: false,
      ...props.bundling,
    },
  });
}

/** parquet-wasm's node build loads its WebAssembly module from the bundle's own folder. */
const PARQUET_WASM = path.join(PROJECT_ROOT, 'node_modules', 'parquet-wasm', 'node', 'parquet_wasm_bg.wasm');

/**
 * Bundling hooks for a function that writes Parquet: esbuild inlines parquet-wasm's JavaScript, whose
 * node build reads `parquet_wasm_bg.wasm` from `__dirname` at load, so the file is copied next to
 * `index.js` after bundling.
 */
export const COPY_PARQUET_WASM: nodejs.ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => [`cp "${PARQUET_WASM}" "${outputDir}/"`],
};
