export { CONTEXT_KEY, parseLakeConfig, type AppSettings, type LakeConfig } from './config';
export { EngagementLake } from './engagement-lake';
export { EngagementLakeStack, type EngagementLakeStackProps } from './engagement-lake-stack';
export type { EngagementLakeProps } from './props';
