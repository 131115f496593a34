import { describe, expect, it } from 'vitest';
import { isUuid, newId } from '../../src/domain/ids.js';

describe('newId', () => {
  it('is a UUID version 7: the time in the first 48 bits, version 7, the RFC 9562 variant', () => {
    const now = Date.UTC(2026, 11, 6, 17, 30, 0, 123);
    const id = newId(now);
    expect(isUuid(id)).toBe(true);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(now);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('sorts by creation time, and never repeats', () => {
    const earlier = Array.from({ length: 5000 }, () => newId(1_000_000));
    const later = Array.from({ length: 5000 }, () => newId(1_000_001));
    expect(new Set([...earlier, ...later]).size).toBe(10_000);
    const lastEarlier = [...earlier].sort().at(-1) ?? '';
    expect(later.every((id) => id > lastEarlier)).toBe(true);
  });
});
