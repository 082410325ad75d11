import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { EngagementLakeStack } from '../../infra/src/engagement-lake-stack';

/** The one suite that really bundles: the transform must build with the local esbuild, no Docker. */
describe('EngagementLake bundling', () => {
  it('bundles the transform handler with the local esbuild into a CommonJS file exporting handler', () => {
    // Arrange
    const app = new App();
    const stack = new EngagementLakeStack(app, 'BundledLake');
    // Act
    const assembly = app.synth();
    // Assert
    const template = assembly.getStackByName('BundledLake').template as {
      Resources: Record<
        string,
        { Type: string; Properties: { Description?: string; Code: { S3Key: string } } }
      >;
    };
    const [transform] = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        r.Properties.Description?.startsWith('engagement-lake: flattens'),
    );
    // The asset's S3 key is `<hash>.zip`; the cloud assembly keeps the bundle in `asset.<hash>/`.
    const hash = transform.Properties.Code.S3Key.replace(/\.zip$/, '');
    const bundle = join(assembly.directory, `asset.${hash}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toMatch(/handler/);
    expect(code).not.toMatch(/parquet-wasm|\.wasm"/);
    // pii: hash fetches its key with the pinned Secrets Manager client, bundled rather than the runtime's.
    expect(code).toMatch(/GetSecretValue/);
    expect(code).not.toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(stack.bundlingRequired).toBe(true);
  });
});
