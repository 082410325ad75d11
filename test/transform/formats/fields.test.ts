import {
  FieldReader,
  bool,
  get,
  int,
  num,
  numberMap,
  obj,
  parseJsonObject,
  str,
  strArray,
  stringMap,
  stringify,
  timestamp,
} from '../../../transform/src/formats/fields';

describe('fields', () => {
  describe('get', () => {
    it('follows a dot path through nested objects', () => {
      // Arrange
      const source = { application: { sdk: { name: 'aws-amplify' } } };
      // Act / Assert
      expect(get(source, 'application.sdk.name')).toBe('aws-amplify');
      expect(get(source, 'application.sdk')).toEqual({ name: 'aws-amplify' });
    });

    it('returns undefined when a step is missing, null, an array or a scalar', () => {
      // Arrange
      const source = { a: null, b: [{ c: 1 }], d: 'text' };
      // Act / Assert
      expect(get(source, 'x.y')).toBeUndefined();
      expect(get(source, 'a.c')).toBeUndefined();
      expect(get(source, 'b.0.c')).toBeUndefined();
      expect(get(source, 'd.length')).toBeUndefined();
      expect(get(null, 'a')).toBeUndefined();
    });

    it('finds a key that itself contains a dot', () => {
      // Arrange: SES tag keys look like `ses:configuration-set`; map keys may hold dots too
      const source = { tags: { 'a.b': 'dotted' } };
      // Act / Assert
      expect(get(source, 'tags.a.b')).toBe('dotted');
    });

    it('does not find Object.prototype members', () => {
      expect(get({}, 'constructor')).toBeUndefined();
      expect(get({ a: {} }, 'a.toString')).toBeUndefined();
      expect(get({}, '__proto__.hasOwnProperty')).toBeUndefined();
    });
  });

  describe('str', () => {
    it('returns strings exactly as sent, the empty string included', () => {
      expect(str({ a: 'x' }, 'a')).toBe('x');
      expect(str({ a: '' }, 'a')).toBe('');
      expect(str({ a: ' padded ' }, 'a')).toBe(' padded ');
    });

    it('returns null for numbers, booleans, objects, arrays, null and missing values', () => {
      const source = { n: 1, b: true, o: {}, a: ['x'], z: null };
      for (const path of ['n', 'b', 'o', 'a', 'z', 'missing']) expect(str(source, path)).toBeNull();
    });
  });

  describe('num', () => {
    it('reads finite numbers and plain decimal strings', () => {
      expect(num({ a: 645.0 }, 'a')).toBe(645);
      expect(num({ a: '645.5' }, 'a')).toBe(645.5);
      expect(num({ a: '-2' }, 'a')).toBe(-2);
    });

    it('rejects hex, exponents, blanks, empty strings and other types', () => {
      for (const value of ['0x10', '1e3', ' 1', '', 'abc', true, null, [1], { v: 1 }]) {
        expect(num({ a: value }, 'a')).toBeNull();
      }
    });
  });

  describe('int', () => {
    it('reads integers from numbers and from strings ("1" in current docs, 1 in 2018 docs)', () => {
      expect(int({ parts: '1' }, 'parts')).toBe(1);
      expect(int({ parts: 1 }, 'parts')).toBe(1);
      expect(int({ parts: 2147483647 }, 'parts')).toBe(2147483647);
    });

    it('rejects fractions and values outside the 32-bit int range', () => {
      expect(int({ a: 1.5 }, 'a')).toBeNull();
      expect(int({ a: '2.5' }, 'a')).toBeNull();
      expect(int({ a: 2147483648 }, 'a')).toBeNull();
    });
  });

  describe('bool', () => {
    it('reads booleans and the strings true/false in any case', () => {
      expect(bool({ a: false }, 'a')).toBe(false);
      expect(bool({ a: 'TRUE' }, 'a')).toBe(true);
      expect(bool({ a: 'false' }, 'a')).toBe(false);
    });

    it('rejects other strings and numbers', () => {
      expect(bool({ a: 'yes' }, 'a')).toBeNull();
      expect(bool({ a: 1 }, 'a')).toBeNull();
    });
  });

  describe('obj and strArray', () => {
    it('returns plain objects only', () => {
      expect(obj({ a: { b: 1 } }, 'a')).toEqual({ b: 1 });
      expect(obj({ a: [1] }, 'a')).toBeNull();
      expect(obj({ a: null }, 'a')).toBeNull();
    });

    it('returns a copy of an all-string array and null for a mixed one', () => {
      // Arrange
      const source = { to: ['a@example.com', 'b@example.com'], mixed: ['a', 1] };
      // Act
      const copy = strArray(source, 'to');
      // Assert
      expect(copy).toEqual(['a@example.com', 'b@example.com']);
      expect(copy).not.toBe(source.to);
      expect(strArray(source, 'mixed')).toBeNull();
      expect(strArray({ to: 'a@example.com' }, 'to')).toBeNull();
    });
  });

  describe('timestamp', () => {
    it('parses epoch ms and ISO strings, and returns null for garbage', () => {
      expect(timestamp({ t: 1487973802507 }, 't')).toBe(1487973802507);
      expect(timestamp({ t: '2019-07-02T23:12:54.836Z' }, 't')).toBe(Date.UTC(2019, 6, 2, 23, 12, 54, 836));
      expect(timestamp({ t: 'soon' }, 't')).toBeNull();
    });
  });

  describe('stringify', () => {
    it('keeps strings and renders other values as JSON text', () => {
      expect(stringify('x')).toBe('x');
      expect(stringify(5)).toBe('5');
      expect(stringify({ a: 1 })).toBe('{"a":1}');
      expect(stringify(null)).toBe('null');
      expect(stringify(undefined)).toBe('undefined');
    });
  });

  describe('stringMap', () => {
    it('consumes the whole object when every value is a string', () => {
      // Act
      const field = stringMap({ attributes: { plan: 'pro', level: '3' } }, 'attributes');
      // Assert
      expect(field).toEqual({ map: { plan: 'pro', level: '3' }, consumed: ['attributes'] });
    });

    it('renders non-string values as JSON text but leaves them unconsumed, for extra', () => {
      // Act
      const field = stringMap({ attributes: { plan: 'pro', level: 3, meta: { a: 1 } } }, 'attributes');
      // Assert
      expect(field).toEqual({
        map: { plan: 'pro', level: '3', meta: '{"a":1}' },
        consumed: ['attributes.plan'],
      });
    });

    it('returns null when the path is not an object', () => {
      expect(stringMap({ attributes: 'x' }, 'attributes')).toBeNull();
      expect(stringMap({}, 'attributes')).toBeNull();
    });
  });

  describe('numberMap', () => {
    it('consumes the whole object when every value is a finite number', () => {
      expect(numberMap({ metrics: { price_in_millicents_usd: 645.0 } }, 'metrics')).toEqual({
        map: { price_in_millicents_usd: 645 },
        consumed: ['metrics'],
      });
    });

    it('leaves strings, objects and null out of the map and unconsumed', () => {
      // Act
      const field = numberMap({ metrics: { score: 7, label: '7', nested: { a: 1 }, none: null } }, 'metrics');
      // Assert
      expect(field).toEqual({ map: { score: 7 }, consumed: ['metrics.score'] });
    });
  });

  describe('parseJsonObject', () => {
    it('parses JSON text that holds an object', () => {
      expect(parseJsonObject('{"userId":"user-id-4"}')).toEqual({ userId: 'user-id-4' });
    });

    it('returns null for bad JSON, non-object JSON and non-strings', () => {
      for (const value of ['{oops', '[1,2]', '"text"', '42', 'null', 42, null, { a: 1 }]) {
        expect(parseJsonObject(value)).toBeNull();
      }
    });
  });

  describe('FieldReader', () => {
    it('records the paths of values it read losslessly', () => {
      // Arrange
      const reader = new FieldReader({ a: 'x', n: 645.0, parts: '1', flag: true, to: ['r@example.com'] });
      // Act
      reader.str('a');
      reader.num('n');
      reader.int('parts');
      reader.bool('flag');
      reader.strArray('to');
      // Assert
      expect(reader.consumed).toEqual(['a', 'n', 'parts', 'flag', 'to']);
    });

    it('returns a typed value but does not consume it when the text would change ("01" → 1)', () => {
      // Arrange
      const reader = new FieldReader({ parts: '01', price: '645.0', flag: 'TRUE' });
      // Act
      const values = [reader.int('parts'), reader.num('price'), reader.bool('flag')];
      // Assert
      expect(values).toEqual([1, 645, true]);
      expect(reader.consumed).toEqual([]);
    });

    it('does not consume values that failed to parse', () => {
      // Arrange
      const reader = new FieldReader({ a: 1, n: 'many', t: 'later', to: [1] });
      // Act
      const values = [reader.str('a'), reader.num('n'), reader.timestamp('t'), reader.strArray('to')];
      // Assert
      expect(values).toEqual([null, null, null, null]);
      expect(reader.consumed).toEqual([]);
    });

    it('consumes timestamps unless sub-millisecond digits were dropped', () => {
      // Arrange
      const reader = new FieldReader({
        ms: 1553104954322,
        s: 1553104954,
        us: 1553104954322000,
        usFraction: 1553104954322123,
        iso: '2019-03-20T18:02:34.322Z',
        isoNs: '2019-03-20T18:02:34.322123Z',
      });
      // Act
      const values = ['ms', 's', 'us', 'usFraction', 'iso', 'isoNs'].map((path) => reader.timestamp(path));
      // Assert
      expect(values).toEqual([
        1553104954322, 1553104954000, 1553104954322, 1553104954322, 1553104954322, 1553104954322,
      ]);
      expect(reader.consumed).toEqual(['ms', 's', 'us', 'iso']);
    });

    it('consumes nanosecond and year-9999 millisecond times, and not implausible ones', () => {
      // Arrange
      const ms = Date.UTC(2019, 2, 20, 18, 2, 34, 322);
      const year9999 = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
      const reader = new FieldReader({ ns: ms * 1_000_000, late: year9999, y1970: 13425345, inf: Infinity });
      // Act
      const values = ['ns', 'late', 'y1970', 'inf'].map((path) => reader.timestamp(path));
      // Assert
      expect(values).toEqual([ms, year9999, null, null]);
      expect(reader.consumed).toEqual(['ns', 'late']);
    });

    it('reads plausible timestamps only, leaving earlier dated strings unconsumed', () => {
      // Arrange
      const ms = Date.UTC(2019, 2, 20, 18, 2, 34, 322);
      const reader = new FieldReader({
        iso: new Date(ms).toISOString(),
        iso2012: new Date(Date.UTC(2012, 4, 25)).toISOString(),
        y1970: 13425345,
      });
      // Act
      const values = ['iso', 'iso2012', 'y1970'].map((path) => reader.plausibleTimestamp(path));
      // Assert
      expect(values).toEqual([ms, null, null]);
      expect(reader.consumed).toEqual(['iso']);
    });

    it('adds map consumption and explicit paths', () => {
      // Arrange
      const reader = new FieldReader({ attributes: { a: 'x' }, metrics: { m: 1, bad: 'x' } });
      // Act
      reader.consume('event_type');
      const attributes = reader.stringMap('attributes');
      const metrics = reader.numberMap('metrics');
      // Assert
      expect(attributes).toEqual({ a: 'x' });
      expect(metrics).toEqual({ m: 1 });
      expect(reader.consumed).toEqual(['event_type', 'attributes', 'metrics.m']);
    });
  });
});
