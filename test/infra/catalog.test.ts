import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EngagementLake } from '../../infra/src/engagement-lake';
import { COLUMNS, FAMILIES, TYPE_MAPPINGS } from '../../transform/src/schema';
import { resourcesOf, synthLake, testApp } from './lake-fixture';

interface TableInput {
  Name: string;
  TableType: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: { Name: string; Type: string }[];
  StorageDescriptor: {
    Columns: { Name: string; Type: string; Comment: string }[];
    Location: unknown;
    SerdeInfo: unknown;
  };
}

function eventsTable(lake = {}): TableInput {
  const { template } = synthLake(lake);
  const tables = Object.values(resourcesOf(template, 'AWS::Glue::Table'));
  expect(tables).toHaveLength(1);
  return tables[0].Properties.TableInput as TableInput;
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
});
