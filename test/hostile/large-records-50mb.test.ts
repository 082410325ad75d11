import { expectHugeRecordKept } from './large-record-check';

describe('a record too large for memory', () => {
  it.each(['a file', 'stdin'] as const)(
    'a 50 MB record on one line, from %s, is in the error output in parts that rejoin to its bytes',
    (from) => expectHugeRecordKept(from, 50_000_000),
    60_000,
  );
});
