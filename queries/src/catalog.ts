/**
 * The saved-query catalog: `queries/sql/<name>.sql` (one saved query per file) and
 * `queries/views/<name>.sql` (one view per file). Each file starts with a dbt-style header of
 * `--` comment lines:
 *
 * ```sql
 * -- name: email_funnel
 * -- description: Email funnel per day and campaign or journey.
 * --   Continuation lines are indented.
 * -- grain: one row per dt and campaign or journey
 * -- params:
 * --   start date = today-30d: first day (dt, UTC), inclusive
 * --   message_id string: required, because it has no default
 * -- columns:
 * --   dt: day (UTC)
 * ```
 *
 * The body is Athena SQL (Trino). Each positional `?` is followed by a comment naming the
 * parameter it binds (`dt between ? /* start *\/ and ? /* end *\/`), so one parameter can be bound
 * twice and the Athena console user can see what to fill in.
 *
 * `parseQueryFile` and `parseViewFile` are pure; `loadSavedQueries` and `loadViews` read the folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserInputError } from '../../transform/src/errors';
import { COLUMNS, PARTITION_KEYS } from '../../transform/src/schema';
import { findPlaceholders } from './sql-tokens';
import {
  PARAM_TYPES,
  type ParamType,
  type QueryColumn,
  type QueryParam,
  type SavedQuery,
  type ViewDefinition,
} from './types';

export type { QueryParam, SavedQuery, ViewDefinition } from './types';

/** Folder of the saved queries. */
export const SAVED_QUERIES_DIR = join(__dirname, '..', 'sql');
/** Folder of the views. */
export const VIEWS_DIR = join(__dirname, '..', 'views');

/** Athena accepts at most 25 execution parameters per query. */
export const MAX_EXECUTION_PARAMETERS = 25;

const NAME = /^[a-z][a-z0-9_]*$/;
const QUERY_KEYS = ['name', 'description', 'grain', 'params', 'columns'];
const VIEW_KEYS = ['name', 'description', 'columns'];

interface Header {
  fields: Map<string, string[]>;
  bodyStart: number;
}

/**
 * Parses one saved-query file.
 *
 * @param contents the file text
 * @param fileName the file's base name, e.g. `email_funnel.sql`; the `name` must match it
 * @throws UserInputError with the file name, the line and an example when the header is malformed
 * @example
 * const query = parseQueryFile(readFileSync('queries/sql/daily_volume.sql', 'utf8'), 'daily_volume.sql');
 */
export function parseQueryFile(contents: string, fileName: string): SavedQuery {
  const text = normalise(contents);
  const header = readHeader(text, fileName);
  const fields = header.fields;
  checkKeys(fields, QUERY_KEYS, fileName, '');
  const name = single(fields, 'name', fileName);
  const description = single(fields, 'description', fileName);
  checkName(name, fileName);
  const params = (fields.get('params') ?? []).map((line) => parseParamLine(line, fileName));
  const duplicate = params.find((p, i) => params.findIndex((q) => q.name === p.name) !== i);
  if (duplicate) fail(fileName, `parameter '${duplicate.name}' is declared twice`);
  const columns = (fields.get('columns') ?? []).map((line) => parseColumnLine(line, fileName));
  const body = text.slice(header.bodyStart).trim() + '\n';
  if (!/^(with|select)\b/i.test(body))
    fail(fileName, 'the body must be one query starting with `with` or `select`');
  const bindings = readBindings(body, params, fileName);
  const grain = fields.has('grain') ? single(fields, 'grain', fileName) : undefined;
  return { name, description, grain, params, columns, sql: text, body, bindings, file: fileName };
}

/**
 * Parses one view file: a header with `name` and `description`, then the SELECT body. Views take
 * no parameters.
 */
export function parseViewFile(contents: string, fileName: string): ViewDefinition {
  const text = normalise(contents);
  const header = readHeader(text, fileName);
  checkKeys(header.fields, VIEW_KEYS, fileName, ' in a view');
  const name = single(header.fields, 'name', fileName);
  checkName(name, fileName);
  const description = single(header.fields, 'description', fileName);
  const sql = expandStar(text.slice(header.bodyStart).trim().replace(/;\s*$/, '') + '\n', fileName);
  if (!/^(with|select)\b/i.test(sql))
    fail(fileName, 'a view body must be one query starting with `with` or `select`');
  if (findPlaceholders(sql).length > 0) fail(fileName, 'a view cannot take parameters (`?`)');
  return { name, description, sql, file: fileName };
}

const STAR = /^([ \t]*)\{\{\s*star\(\s*except\s*=\s*\[([^\]]*)\]\s*\)\s*\}\}/gm;

/**
 * Expands `{{ star(except=['raw']) }}` (as dbt-utils' `star`) to the `events` columns from
 * `COLUMNS` plus the partition keys, so a view never holds a second hand-kept column list.
 */
export function expandStar(sql: string, fileName: string): string {
  const expanded = sql.replace(STAR, (_match, indent: string, list: string) => {
    const except = list
      .split(',')
      .map((item) => item.trim().replace(/^'(.*)'$/, '$1'))
      .filter((item) => item !== '');
    const all = [...COLUMNS.map((c) => c.name as string), ...PARTITION_KEYS.map((p) => p.name as string)];
    const unknown = except.find((name) => !all.includes(name));
    if (unknown) fail(fileName, `star(except=...) names '${unknown}', which is not a column of events`);
    return all
      .filter((name) => !except.includes(name))
      .map((name) => indent + name)
      .join(',\n');
  });
  if (expanded.includes('{{')) fail(fileName, "the only template is {{ star(except=['column', ...]) }}");
  return expanded;
}

/** Reads every `queries/sql/*.sql`, sorted by name. */
export function loadSavedQueries(dir: string = SAVED_QUERIES_DIR): SavedQuery[] {
  return sqlFiles(dir).map((file) => parseQueryFile(readFileSync(join(dir, file), 'utf8'), file));
}

/** Reads every `queries/views/*.sql`, ordered so that a view comes after the views it reads. */
export function loadViews(dir: string = VIEWS_DIR): ViewDefinition[] {
  return orderViews(sqlFiles(dir).map((file) => parseViewFile(readFileSync(join(dir, file), 'utf8'), file)));
}

/** Orders views so that each comes after the views its body names (a topological sort). */
export function orderViews(views: ViewDefinition[]): ViewDefinition[] {
  const byName = new Map(views.map((v) => [v.name, v]));
  const ordered: ViewDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (view: ViewDefinition): void => {
    if (state.get(view.name) === 'done') return;
    if (state.get(view.name) === 'visiting')
      fail(view.file, `views depend on each other in a cycle through '${view.name}'`);
    state.set(view.name, 'visiting');
    const code = stripComments(view.sql);
    for (const other of byName.values()) {
      if (other.name !== view.name && new RegExp(`\\b${other.name}\\b`).test(code)) visit(other);
    }
    state.set(view.name, 'done');
    ordered.push(view);
  };
  [...views].sort((a, b) => a.name.localeCompare(b.name)).forEach(visit);
  return ordered;
}

/**
 * The views `sql` reads, directly or through other views, in creation order. Lets the local engine
 * create only what a query needs: each view binds the whole Parquet scan once more.
 */
export function viewsUsedBy(sql: string, views: ViewDefinition[]): ViewDefinition[] {
  const needed = new Set<string>();
  const visit = (text: string): void => {
    const code = stripComments(text);
    for (const view of views) {
      if (!needed.has(view.name) && new RegExp(`\\b${view.name}\\b`, 'i').test(code)) {
        needed.add(view.name);
        visit(view.sql);
      }
    }
  };
  visit(sql);
  return orderViews(views).filter((view) => needed.has(view.name));
}

function sqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
}

/** Drops a byte-order mark and turns CRLF into LF, so offsets and messages match the editor's lines. */
function normalise(contents: string): string {
  return contents.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

function checkKeys(fields: Map<string, string[]>, allowed: string[], fileName: string, where: string): void {
  for (const key of fields.keys()) {
    if (!allowed.includes(key))
      fail(fileName, `unknown header key '${key}'${where} (expected ${allowed.join(', ')})`);
  }
}

function readHeader(text: string, fileName: string): Header {
  const lines = text.split('\n');
  const fields = new Map<string, string[]>();
  let current: string[] | undefined;
  let offset = 0;
  let index = 0;
  for (; index < lines.length; index += 1) {
    const line = lines[index];
    if (line.trim() === '') {
      offset += line.length + 1;
      if (fields.size > 0) break;
      continue;
    }
    if (!line.startsWith('--')) break;
    const content = line.replace(/^--\s?/, '');
    const key = /^([a-z_]+):\s*(.*)$/.exec(content);
    if (key && !/^\s/.test(content)) {
      if (fields.has(key[1])) fail(fileName, `header key '${key[1]}' appears twice (line ${index + 1})`);
      current = key[2].trim() === '' ? [] : [key[2].trim()];
      fields.set(key[1], current);
    } else if (current && /^\s+\S/.test(content)) {
      current.push(content.trim());
    } else if (content.trim() !== '') {
      fail(fileName, `line ${index + 1} of the header is neither 'key: value' nor an indented continuation`);
    }
    offset += line.length + 1;
  }
  if (fields.size === 0) fail(fileName, 'no header');
  return { fields, bodyStart: Math.min(offset, text.length) };
}

function single(fields: Map<string, string[]>, key: string, fileName: string): string {
  const value = fields.get(key);
  if (!value || value.length === 0) fail(fileName, `the header has no '${key}'`);
  return value.join(' ');
}

function checkName(name: string, fileName: string): void {
  if (!NAME.test(name)) fail(fileName, `name '${name}' must be lower_snake_case`);
  if (basename(fileName, '.sql') !== name) fail(fileName, `name '${name}' does not match the file name`);
}

/** `start date = today-30d: first day` or `message_id string: the message`. */
function parseParamLine(line: string, fileName: string): QueryParam {
  const match = /^([a-z][a-z0-9_]*)\s+([a-z]+)(?:\s*=\s*([^:\s]+))?\s*:\s*(.+)$/.exec(line);
  if (!match) fail(fileName, `parameter line '${line}' must look like 'start date = today-30d: first day'`);
  const [, name, type, defaultValue, description] = match;
  if (!PARAM_TYPES.includes(type as ParamType)) {
    fail(fileName, `parameter '${name}' has type '${type}' (expected ${PARAM_TYPES.join(', ')})`);
  }
  return defaultValue === undefined
    ? { name, type: type as ParamType, description }
    : { name, type: type as ParamType, default: defaultValue, description };
}

function parseColumnLine(line: string, fileName: string): QueryColumn {
  const match = /^(\*|[a-z_][a-z0-9_]*)\s*:\s*(.+)$/.exec(line);
  if (!match) fail(fileName, `column line '${line}' must look like 'dt: day (UTC)'`);
  return { name: match[1], description: match[2] };
}

function readBindings(body: string, params: QueryParam[], fileName: string): string[] {
  const placeholders = findPlaceholders(body);
  if (placeholders.length > MAX_EXECUTION_PARAMETERS) {
    fail(
      fileName,
      `${placeholders.length} parameters (\`?\`); Athena accepts at most ${MAX_EXECUTION_PARAMETERS}`,
    );
  }
  const bindings = placeholders.map((p) => {
    if (!p.label)
      fail(
        fileName,
        `the \`?\` on body line ${p.line} needs a comment naming its parameter, e.g. \`? /* start */\``,
      );
    if (!params.some((q) => q.name === p.label))
      fail(
        fileName,
        `the \`?\` on body line ${p.line} binds '${p.label}', which the header does not declare`,
      );
    return p.label;
  });
  const unused = params.find((p) => !bindings.includes(p.name));
  if (unused) fail(fileName, `parameter '${unused.name}' is declared but no \`?\` binds it`);
  return bindings;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

function fail(fileName: string, message: string): never {
  throw new UserInputError(`${fileName}: ${message} (the header format is in queries/README.md)`);
}
