import { describe, expect, it } from 'vitest';
import { displayInstant, toBase64 } from './api';

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
