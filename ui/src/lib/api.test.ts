import { describe, expect, it } from 'vitest';
import {
  displayInstant, displayLocal, displayMonth, displayTenge, displayTime, toBase64, VISIT_REASONS, weekdayOf,
} from './api';

describe('displayInstant', () => {
  it('shows an instant on a Kazakhstan clock (UTC+5), whatever the PC zone', () => {
    expect(displayInstant('2026-10-01T05:30:00Z')).toBe('01.10.2026 10:30');
    expect(displayInstant('2026-11-23T23:00:00.123Z')).toBe('24.11.2026 04:00');
  });
});

describe('toBase64', () => {
  it('encodes bytes as the core decodes them, across the slices', () => {
    expect(toBase64(new Uint8Array([0x1f, 0x8b, 0x08]))).toBe('H4sI');
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    const decoded = Uint8Array.from(atob(toBase64(big)), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(big);
  });
});

describe('appointment helpers', () => {
  it('write a slot time as the registrar reads it and name its weekday', () => {
    expect(displayLocal('2026-11-25T09:30:00')).toBe('25.11.2026 09:30');
    expect(displayTime('2026-11-25T09:30:00')).toBe('09:30');
    expect(weekdayOf('2026-11-25T09:30:00')).toBe('Wed');
    expect(weekdayOf('2026-11-29')).toBe('Sun');
  });

  it('list every reason of seed 000 once, in the categories of domain::booking', () => {
    const reasons = VISIT_REASONS.flatMap(([, items]) => items);
    expect(new Set(reasons).size).toBe(23);
    expect(VISIT_REASONS.map(([category]) => category)).toEqual([
      'disease', 'injury', 'dynamic_observation', 'medico_social', 'administrative', 'prevention',
    ]);
    const sizes = VISIT_REASONS.map(([, items]) => items.length);
    expect(sizes).toEqual([6, 2, 1, 2, 2, 10]);
  });
});

describe('OSMS amounts and periods', () => {
  it('write tiyn as tenge with a no-break space between thousands and the period as the statement does', () => {
    expect(displayTenge(425_050)).toBe('4\u00a0250,50');
    expect(displayTenge(5_100_000)).toBe('51\u00a0000,00');
    expect(displayTenge(1)).toBe('0,01');
    expect(displayTenge(-100)).toBe('-1,00');
    expect(displayMonth({ year: 2026, month: 3 })).toBe('03.2026');
  });
});
