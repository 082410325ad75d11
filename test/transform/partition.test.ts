import { computeDt } from '../../transform/src/partition';

const NOW = Date.UTC(2026, 10, 28, 12);

describe('computeDt', () => {
  it('uses the UTC date of event_time', () => {
    expect(computeDt(Date.UTC(2026, 10, 27, 23, 30), null, { now: NOW })).toEqual({
      dt: '2026-11-27',
      fellBack: false,
    });
  });

  it('keeps event_time when it is at most one day after arrival_time', () => {
    const arrival = Date.UTC(2026, 10, 20, 0, 0);
    const event = arrival + 86_400_000; // exactly one day later
    expect(computeDt(event, arrival, { now: NOW })).toEqual({ dt: '2026-11-21', fellBack: false });
  });

  it('uses arrival_time when event_time is more than one day after it (a clock running ahead)', () => {
    const arrival = Date.UTC(2026, 10, 20, 10);
    const event = Date.UTC(2026, 10, 25, 10);
    expect(computeDt(event, arrival, { now: NOW })).toEqual({ dt: '2026-11-20', fellBack: true });
  });

  it('keeps event_time when it is before arrival_time (late delivery is normal)', () => {
    expect(computeDt(Date.UTC(2026, 0, 1), Date.UTC(2026, 10, 1), { now: NOW })).toEqual({
      dt: '2026-01-01',
      fellBack: false,
    });
  });

  it('clamps to the projection start (default 2015-01-01) and to tomorrow', () => {
    expect(computeDt(Date.UTC(1999, 0, 1), null, { now: NOW })).toEqual({ dt: '2015-01-01', fellBack: true });
    expect(computeDt(Date.UTC(2030, 0, 1), null, { now: NOW })).toEqual({ dt: '2026-11-29', fellBack: true });
    expect(computeDt(Date.UTC(2019, 5, 1), null, { now: NOW, start: '2020-01-01' })).toEqual({
      dt: '2020-01-01',
      fellBack: true,
    });
  });

  it('allows rows dated tomorrow (projection ends at NOW+1DAYS)', () => {
    expect(computeDt(Date.UTC(2026, 10, 29, 1), null, { now: NOW })).toEqual({
      dt: '2026-11-29',
      fellBack: false,
    });
  });
});
