#!/usr/bin/env node
import { main } from './index';

// The AWS SDK clients are pinned to releases that support Node 20: their notice about later releases is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
