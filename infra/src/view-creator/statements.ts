/**
 * Pure part of the deploy-time view step: which Athena statements a CloudFormation event needs.
 * The handler (handler.ts) runs them in order and fails the deployment when one fails.
 */

/** One view as the custom resource receives it. */
export interface ViewSpec {
  readonly name: string;
  readonly sql: string;
}

/** Properties of the `Custom::AthenaViews` resource. */
export interface ViewsProperties {
  readonly WorkGroup: string;
  readonly Database: string;
  readonly Views: ViewSpec[];
}

/** One statement to run, and whether its failure fails the deployment. */
export interface Statement {
  readonly sql: string;
  /** Drops on Delete are best effort: a view that is already gone must not block stack deletion. */
  readonly mustSucceed: boolean;
}

export type RequestType = 'Create' | 'Update' | 'Delete';

const VIEW_NAME = /^[a-z_][a-z0-9_]*$/;
const CREATE_VIEW = /^\s*create\s+(or\s+replace\s+)?view\s+("?[\w.]+"?)\s+as\s+/i;

/** Checks the resource properties; throws with a message CloudFormation shows in the stack events. */
export function parseProperties(raw: Record<string, unknown> | undefined): ViewsProperties {
  const props = (raw ?? {}) as Partial<ViewsProperties>;
  if (typeof props.WorkGroup !== 'string' || props.WorkGroup === '')
    throw new Error('WorkGroup must be a non-empty string');
  if (typeof props.Database !== 'string' || props.Database === '')
    throw new Error('Database must be a non-empty string');
  if (!Array.isArray(props.Views)) throw new Error('Views must be a list of {name, sql}');
  for (const view of props.Views) {
    if (typeof view?.name !== 'string' || !VIEW_NAME.test(view.name)) {
      throw new Error(
        `View name must be lower-case letters, digits and underscores, got '${String(view?.name)}'`,
      );
    }
    if (typeof view.sql !== 'string' || view.sql.trim() === '')
      throw new Error(`View ${view.name} has no SQL`);
  }
  return { WorkGroup: props.WorkGroup, Database: props.Database, Views: props.Views };
}

/** The view's SELECT, whether the file holds a bare query or a full `CREATE [OR REPLACE] VIEW … AS`. */
export function selectOf(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, '');
  const match = CREATE_VIEW.exec(trimmed);
  return match ? trimmed.slice(match[0].length) : trimmed;
}

/** `CREATE OR REPLACE VIEW` for one view: idempotent, so retries and updates are safe. */
export function createStatement(view: ViewSpec): string {
  return `CREATE OR REPLACE VIEW ${view.name} AS\n${selectOf(view.sql)}`;
}

/** `DROP VIEW IF EXISTS` for one view name. */
export function dropStatement(name: string): string {
  return `DROP VIEW IF EXISTS ${name}`;
}

/**
 * The statements for one request, in order. Views are created in the given order (a view may read
 * an earlier one) and dropped in reverse; an update drops the views it no longer lists.
 */
export function plan(
  requestType: RequestType,
  props: ViewsProperties,
  oldProps?: ViewsProperties,
): Statement[] {
  if (requestType === 'Delete') {
    return [...props.Views].reverse().map((v) => ({ sql: dropStatement(v.name), mustSucceed: false }));
  }
  const creates = props.Views.map((v) => ({ sql: createStatement(v), mustSucceed: true }));
  if (requestType === 'Create' || !oldProps || oldProps.Database !== props.Database) return creates;
  const kept = new Set(props.Views.map((v) => v.name));
  const removed = [...oldProps.Views]
    .reverse()
    .filter((v) => !kept.has(v.name))
    .map((v) => ({ sql: dropStatement(v.name), mustSucceed: true }));
  return [...removed, ...creates];
}

/** Physical id: a change of database or workgroup replaces the resource, and CloudFormation deletes the old views. */
export function physicalId(props: ViewsProperties): string {
  return `athena-views:${props.WorkGroup}:${props.Database}`;
}
