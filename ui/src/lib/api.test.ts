import { describe, expect, it } from 'vitest';
import { displayInstant } from './api';

describe('displayInstant', () => {
  it('shows an instant on a Kazakhstan clock (UTC+5), whatever the PC zone', () => {
    expect(displayInstant('2026-10-01T05:30:00Z')).toBe('01.10.2026 10:30');
    expect(displayInstant('2026-11-23T23:00:00.123Z')).toBe('24.11.2026 04:00');
  });
});
