import { version } from '../../package.json';

/** Written to every row's `transform_version`, so rows can be found and re-processed after a fix. */
export const TRANSFORM_VERSION: string = version;

/** Firehose's record size limit: 1,000 KiB before base64. */
export const MAX_RECORD_BYTES = 1000 * 1024;

/**
 * Lambda's synchronous response limit is 6 MB; we stop adding Ok records at about 5.8 MB so the
 * JSON framing of the remaining (failed) records still fits.
 */
export const MAX_RESPONSE_BYTES = 5_800_000;
