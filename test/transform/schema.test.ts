import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COLUMNS,
  FAMILIES,
  PARTITION_KEYS,
  TYPE_MAPPINGS,
  emptyRow,
  glueColumns,
} from '../../transform/src/schema';
import { schemaDoc } from '../../transform/src/schema-doc';

const eventModel = readFileSync(join(__dirname, '..', '..', 'docs', 'event-model.md'), 'utf8');

/** Column names listed in the event model's Columns table (the design contract). */
function eventModelColumnNames(): string[] {
  const section = eventModel.slice(
    eventModel.indexOf('## Columns'),
    eventModel.indexOf('## Rules that hold'),
  );
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| column'))
    .flatMap((line) => line.split('|')[1].split(','))
    .map((name) => name.trim());
}

describe('schema', () => {
  describe('COLUMNS', () => {
    it('has unique lower-case snake_case names (Glue lower-cases column names)', () => {
      const names = COLUMNS.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    });

    it('holds exactly the columns of the event model, in its order', () => {
      expect(COLUMNS.map((c) => c.name)).toEqual(eventModelColumnNames());
    });

    it('marks exactly the event model never-null columns as not nullable', () => {
      const required = COLUMNS.filter((c) => !c.nullable).map((c) => c.name);
      expect(required).toEqual([
        'event_id',
        'source_format',
        'event_type',
        'event_name',
        'event_time',
        'time_source',
      ]);
    });

    it('keeps partition keys out of the data columns (Hive forbids the same name twice)', () => {
      const names = new Set<string>(COLUMNS.map((c) => c.name));
      for (const key of PARTITION_KEYS) expect(names.has(key.name)).toBe(false);
    });

    it('has a one-line meaning for every column', () => {
      for (const column of COLUMNS) expect(column.doc).toMatch(/^[^\n]{5,200}$/);
    });
  });

  describe('FAMILIES', () => {
    it('is the closed set the event model lists', () => {
      expect([...FAMILIES]).toEqual([
        'app',
        'campaign',
        'journey',
        'email',
        'sms',
        'mms',
        'voice',
        'rcs',
        'in_app',
        'other',
      ]);
    });
  });

  describe('glueColumns', () => {
    it('maps every column, in order, to its Glue type', () => {
      const glue = glueColumns();
      expect(glue.map((c) => c.name)).toEqual(COLUMNS.map((c) => c.name));
      expect(glue.find((c) => c.name === 'event_time')?.type).toBe('timestamp');
      expect(glue.find((c) => c.name === 'message_parts')?.type).toBe('int');
      expect(glue.find((c) => c.name === 'metrics')?.type).toBe('map<string,double>');
      expect(glue.find((c) => c.name === 'recipients')?.type).toBe('array<string>');
    });

    it('keeps Glue comments within the 255-character limit', () => {
      for (const column of glueColumns()) expect(column.comment.length).toBeLessThanOrEqual(255);
    });
  });

  describe('TYPE_MAPPINGS', () => {
    it('spells every logical type for Glue, DuckDB and Trino', () => {
      for (const column of COLUMNS) {
        const mapping = TYPE_MAPPINGS[column.type];
        expect(mapping.glue).toBeTruthy();
        expect(mapping.duckdb).toBeTruthy();
        expect(mapping.trino).toBeTruthy();
      }
    });
  });

  describe('emptyRow', () => {
    it('has every column and nothing else, all null', () => {
      const row = emptyRow();
      expect(Object.keys(row)).toEqual(COLUMNS.map((c) => c.name));
      expect(Object.values(row).every((v) => v === null)).toBe(true);
    });
  });

  describe('docs/schema.md', () => {
    it('is the page generated from the schema (run `npm run docs:schema` after a change)', () => {
      const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'schema.md'), 'utf8');
      expect(committed).toBe(schemaDoc());
    });

    it('lists every column', () => {
      const page = schemaDoc();
      for (const column of COLUMNS) expect(page).toContain(`| ${column.name} | ${column.type} |`);
    });
  });
});
