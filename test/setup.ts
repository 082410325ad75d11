// Powertools writes JSON logs to stdout; tests assert on behaviour, not on console noise.
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'EngagementLakeTest';
process.env.POWERTOOLS_SERVICE_NAME ??= 'engagement-lake-test';
// The SDK clients are pinned to releases that support Node 20; their notice about later ones is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
