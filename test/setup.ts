// Powertools writes JSON logs to stdout; tests assert on behaviour, not on console noise.
process.env.POWERTOOLS_DEV = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'EngagementLakeTest';
process.env.POWERTOOLS_SERVICE_NAME ??= 'engagement-lake-test';
