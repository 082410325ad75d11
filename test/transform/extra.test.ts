import { collectExtra, splitCaseCollisions } from '../../transform/src/extra';

describe('extra', () => {
  describe('collectExtra', () => {
    it('keeps every unconsumed leaf by dot path as JSON text', () => {
      // Arrange
      const source = { a: 1, b: { c: 'x', d: [1, { e: 2 }], f: null, g: true }, h: 'held' };
      // Act
      const extra = collectExtra(source, ['h']);
      // Assert
      expect(extra).toEqual({ a: '1', 'b.c': '"x"', 'b.d': '[1,{"e":2}]', 'b.f': 'null', 'b.g': 'true' });
    });

    it('treats a consumed path as consuming its whole subtree', () => {
      expect(collectExtra({ attributes: { a: '1', b: { c: 2 } }, x: 1 }, ['attributes'])).toEqual({ x: '1' });
    });

    it('drops empty objects, which the event model turns into nulls', () => {
      expect(collectExtra({ sdk: {}, session: {}, device: { platform: {} } }, [])).toEqual({});
    });

    it('keeps keys in their exact case, including keys with hyphens and colons', () => {
      expect(collectExtra({ 'detail-type': 'X', Tag: { 'ses:Caller': 'a' } }, [])).toEqual({
        'detail-type': '"X"',
        'Tag.ses:Caller': '"a"',
      });
    });
  });

  describe('splitCaseCollisions', () => {
    it('keeps the first of keys that differ only by case and returns the others', () => {
      expect(splitCaseCollisions({ Plan: 'gold', plan: 'free', PLAN: 'x', other: 'y' })).toEqual({
        kept: { Plan: 'gold', other: 'y' },
        collisions: [
          ['plan', 'free'],
          ['PLAN', 'x'],
        ],
      });
    });
  });
});
