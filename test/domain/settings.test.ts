import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { applySettingsPatch, defaultSettings } from '../../src/domain/settings.js';

describe('tenant settings', () => {
  it('merge a patch field by field, nested objects included', () => {
    const next = applySettingsPatch(defaultSettings('PROFESSIONAL'), { timezone: 'Europe/Berlin', branding: { primaryColor: '#112233' } }, 'PROFESSIONAL');
    expect(next.timezone).toBe('Europe/Berlin');
    expect(next.branding).toEqual({ displayName: null, primaryColor: '#112233', logoUrl: null });
    expect(next.locale).toBe('en-US');
  });

  it('hold the query timeout to the tier limit', () => {
    expect(() => applySettingsPatch(defaultSettings('FREE'), { queryTimeoutSeconds: 61 }, 'FREE')).toThrow(/1 to 60 on the FREE tier/);
    expect(applySettingsPatch(defaultSettings('PROFESSIONAL'), { queryTimeoutSeconds: 600 }, 'PROFESSIONAL').queryTimeoutSeconds).toBe(600);
  });

  it('name every bad field', () => {
    try {
      applySettingsPatch(
        defaultSettings('FREE'),
        { timezone: 'Mars/Olympus', locale: 'not a locale!', branding: { primaryColor: 'red', logoUrl: 'http://insecure' }, notifications: { webhookUrl: 'ftp://x' } },
        'FREE',
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors.map((e) => e.field).sort()).toEqual([
        'branding.logoUrl', 'branding.primaryColor', 'locale', 'notifications.webhookUrl', 'timezone',
      ]);
    }
  });
});
