/** The saved-query catalog, the parameter rules, the dialect layer and both query engines. */
export { loadSavedQueries, loadViews, parseQueryFile, parseViewFile } from './catalog';
export {
  athenaExecutionParameters,
  athenaLiteral,
  bindValues,
  parseParamArgs,
  resolveParams,
} from './params';
export { DIALECT, duckDbMacros, rewriteForDuckDb } from './compat';
export { openLocalLake, type LocalLake } from './duckdb-engine';
export { runOnAthena, athenaCostUsd, type AthenaRunOptions } from './athena-engine';
export { formatResult, type OutputFormat } from './format';
export type {
  ParamType,
  ParamValue,
  QueryColumn,
  QueryParam,
  QueryResult,
  ResultRow,
  SavedQuery,
  ViewDefinition,
} from './types';
