export * from './schema';
export * from './types';
export * from './constants';
export { transformEvent } from './transform-event';
export { parseTimestamp, formatTimestamp, utcDate } from './time';
export { eventId } from './event-id';
export * from './errors';
export { transformRecord, serializeRow, serializeRows, parseRow, type RecordResult } from './records';
export { JsonRecordSplitter, splitJsonRecords, type JsonRecordSplitterOptions } from './json-split';
