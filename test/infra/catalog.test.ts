import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { ERROR_PREFIX } from '../../infra/src/private/delivery';
import { errorFolder, formatErrorRecord } from '../../local/src/error-writer';
import { COLUMNS, FAMILIES, TYPE_MAPPINGS } from '../../transform/src/schema';
import { resourcesOf, synthLake, testApp } from './lake-fixture';

interface TableInput {
  Name: string;
  Description: string;
  TableType: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: {
    Columns: { Name: string; Type: string; Comment: string }[];
    Location: unknown;
    InputFormat: string;
    OutputFormat: string;
    SerdeInfo: unknown;
  };
}

/** The input of the one Glue table with this name. */
function tableNamed(name: string, lake = {}): TableInput {
  const { template } = synthLake(lake);
  const tables = Object.values(resourcesOf(template, 'AWS::Glue::Table'))
    .map((t) => t.Properties.TableInput as TableInput)
    .filter((t) => t.Name === name);
  expect(tables).toHaveLength(1);
  return tables[0];
}

const eventsTable = (lake = {}): TableInput => tableNamed('events', lake);
const errorsTable = (lake = {}): TableInput => tableNamed('errors', lake);

/** A Java DateTimeFormatter pattern of the letters yyyy, MM, dd, HH, applied to a UTC time. */
function formatUtc(pattern: string, time: number): string {
  const iso = new Date(time).toISOString();
  return pattern
    .replace('yyyy', iso.slice(0, 4))
    .replace('MM', iso.slice(5, 7))
    .replace('dd', iso.slice(8, 10))
    .replace('HH', iso.slice(11, 13));
}

describe('EngagementLake catalog', () => {
  describe('events table', () => {
    it('has exactly the columns of the schema definition, in order, with their Glue types', () => {
      // Arrange
      const expected = COLUMNS.map((c) => ({
        Name: c.name,
        Type: TYPE_MAPPINGS[c.type].glue,
        Comment: c.doc,
      }));
      // Act
      const columns = eventsTable().StorageDescriptor.Columns;
      // Assert
      expect(columns).toEqual(expected);
    });

    it('spells the complex types the way Hive expects', () => {
      // Arrange / Act
      const byName = new Map(eventsTable().StorageDescriptor.Columns.map((c) => [c.Name, c.Type]));
      // Assert
      expect(byName.get('recipients')).toBe('array<string>');
      expect(byName.get('attributes')).toBe('map<string,string>');
      expect(byName.get('metrics')).toBe('map<string,double>');
      expect(byName.get('event_time')).toBe('timestamp');
    });

    it('is partitioned by family and dt, both strings', () => {
      // Arrange / Act
      const keys = eventsTable().PartitionKeys.map((k) => ({ Name: k.Name, Type: k.Type }));
      // Assert
      expect(keys).toEqual([
        { Name: 'family', Type: 'string' },
        { Name: 'dt', Type: 'string' },
      ]);
    });

    it('is an external Parquet table named events that is not client-side encrypted', () => {
      // Arrange / Act
      const table = eventsTable();
      // Assert
      expect(table.Name).toBe('events');
      expect(table.TableType).toBe('EXTERNAL_TABLE');
      expect(table.Parameters.classification).toBe('parquet');
      expect(table.Parameters.has_encrypted_data).toBe(false);
      expect(table.StorageDescriptor.SerdeInfo).toEqual({
        SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      });
    });

    it('projects family as an enum of the closed set', () => {
      // Arrange / Act
      const parameters = eventsTable().Parameters;
      // Assert
      expect(parameters['projection.enabled']).toBe('true');
      expect(parameters['projection.family.type']).toBe('enum');
      expect(parameters['projection.family.values']).toBe(
        'app,campaign,journey,email,sms,mms,voice,rcs,in_app,other',
      );
      expect((parameters['projection.family.values'] as string).split(',')).toEqual([...FAMILIES]);
    });

    it('projects dt as a daily date from 2015-01-01 to NOW+1DAYS', () => {
      // Arrange / Act
      const parameters = eventsTable().Parameters;
      // Assert
      expect(parameters).toEqual(
        expect.objectContaining({
          'projection.dt.type': 'date',
          'projection.dt.range': '2015-01-01,NOW+1DAYS',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
        }),
      );
    });

    it('starts the dt projection at the configured day', () => {
      // Arrange / Act
      const parameters = eventsTable({ dtStart: '2022-03-01' }).Parameters;
      // Assert
      expect(parameters['projection.dt.range']).toBe('2022-03-01,NOW+1DAYS');
    });

    it('templates the location as events/family=${family}/dt=${dt}/ in the data bucket', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: {
          Parameters: Match.objectLike({
            'storage.location.template': {
              'Fn::Join': [
                '',
                [
                  's3://',
                  { Ref: Match.stringLikeRegexp('^LakeDataBucket') },
                  '/events/family=${family}/dt=${dt}/',
                ],
              ],
            },
          }),
        },
      });
    });

    it('creates no crawler', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.resourceCountIs('AWS::Glue::Crawler', 0);
    });

    it('refuses a dtStart that is not a date', () => {
      // Arrange
      const stack = new Stack(testApp(), 'S');
      // Act
      const build = () => new EngagementLake(stack, 'Lake', { dtStart: '2015/01/01' });
      // Assert
      expect(build).toThrow("dtStart must be a date YYYY-MM-DD, got '2015/01/01'");
    });
  });

  describe('errors table', () => {
    it('is an external JSON table named errors over errors/ in the data bucket, OpenX SerDe', () => {
      // Arrange
      const { template } = synthLake();
      // Act / Assert
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: Match.objectLike({
          Name: 'errors',
          TableType: 'EXTERNAL_TABLE',
          Parameters: Match.objectLike({ classification: 'json', has_encrypted_data: false }),
          StorageDescriptor: Match.objectLike({
            Location: {
              'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^LakeDataBucket') }, '/errors/']],
            },
            InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          }),
        }),
      });
    });

    it('has the fields of a Firehose error document, lower-cased, with their types', () => {
      // Arrange / Act
      const columns = errorsTable().StorageDescriptor.Columns.map((c) => [c.Name, c.Type]);
      // Assert
      expect(columns).toEqual([
        ['attemptsmade', 'int'],
        ['arrivaltimestamp', 'bigint'],
        ['errorcode', 'string'],
        ['errormessage', 'string'],
        ['attemptendingtimestamp', 'bigint'],
        ['rawdata', 'string'],
        ['lambdaarn', 'string'],
      ]);
    });

    it('maps every key the error writer emits onto a column (the SerDe matches keys case-insensitively)', () => {
      // Arrange
      const document = JSON.parse(
        formatErrorRecord(
          { raw: new Uint8Array([1, 2]), reason: 'invalid_json', message: 'm', arrivalTime: 1 },
          1,
          2,
        ),
      ) as Record<string, unknown>;
      // Act
      const columns = errorsTable().StorageDescriptor.Columns.map((c) => c.Name);
      // Assert
      expect(Object.keys(document).map((k) => k.toLowerCase())).toEqual(columns);
    });

    it('says that rawdata may hold personal data', () => {
      // Arrange / Act
      const table = errorsTable();
      const rawdata = table.StorageDescriptor.Columns.find((c) => c.Name === 'rawdata')!;
      // Assert
      expect(table.Description).toMatch(/personal data/);
      expect(rawdata.Comment).toMatch(/personal data/);
    });

    it('is partitioned by type and hour, both strings', () => {
      // Arrange / Act
      const keys = errorsTable().PartitionKeys.map((k) => ({ Name: k.Name, Type: k.Type }));
      // Assert
      expect(keys).toEqual([
        { Name: 'type', Type: 'string' },
        { Name: 'hour', Type: 'string' },
      ]);
    });

    it('projects type as the three error output types and hour hourly from dtStart', () => {
      // Arrange / Act
      const parameters = errorsTable().Parameters;
      // Assert
      expect(parameters).toEqual(
        expect.objectContaining({
          'projection.enabled': 'true',
          'projection.type.type': 'enum',
          'projection.type.values': 'processing-failed,format-conversion-failed,partitioning-failed',
          'projection.hour.type': 'date',
          'projection.hour.format': 'yyyy/MM/dd/HH',
          'projection.hour.range': '2015/01/01/00,NOW+1DAYS',
          'projection.hour.interval': '1',
          'projection.hour.interval.unit': 'HOURS',
        }),
      );
    });

    it('starts the hour projection at the configured day, in the hour format', () => {
      // Arrange / Act
      const parameters = errorsTable({ dtStart: '2022-03-01' }).Parameters;
      // Assert
      expect(parameters['projection.hour.range']).toBe('2022/03/01/00,NOW+1DAYS');
    });

    it('projects the folders Firehose and the local error writer write', () => {
      // Arrange: an arrival time, and the folder each writer puts a processing failure in
      const time = Date.UTC(2026, 10, 5, 7, 42, 9);
      const parameters = errorsTable().Parameters;
      const hour = formatUtc(parameters['projection.hour.format'] as string, time);
      const firehoseFolder = ERROR_PREFIX.replace(
        '!{firehose:error-output-type}',
        'processing-failed',
      ).replace(/!\{timestamp:([^}]+)\}/, (_, pattern: string) => formatUtc(pattern, time));
      // Act: the location template with the projected values, relative to the bucket
      const { template } = synthLake();
      const location = Object.values(resourcesOf(template, 'AWS::Glue::Table'))
        .map((t) => t.Properties.TableInput as TableInput)
        .find((t) => t.Name === 'errors')!.Parameters['storage.location.template'] as {
        'Fn::Join': [string, unknown[]];
      };
      const relative = (location['Fn::Join'][1].at(-1) as string)
        .replace(/^\//, '')
        .replace('${type}', 'processing-failed')
        .replace('${hour}', hour);
      // Assert
      expect((parameters['projection.type.values'] as string).split(',')).toContain('processing-failed');
      expect(relative).toBe(firehoseFolder);
      expect(relative).toBe(`${errorFolder(time)}/`);
    });
  });
});
