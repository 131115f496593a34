import { describe, expect, it } from 'vitest';
import { publicHttpsUrlProblem } from '../../src/domain/public-url.js';

describe('a URL the platform may call for a tenant', () => {
  it('takes https URLs on public names and addresses', () => {
    for (const url of [
      'https://hooks.slack.com/services/T000/B000/XXXX',
      'https://alerts.acme.example/matih?team=data',
      'https://93.184.215.14/hook',
      'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook',
      'https://hooks.acme.example:8443/x',
    ]) {
      expect(publicHttpsUrlProblem(url), url).toBeUndefined();
    }
  });

  it('refuses addresses inside the platform, however they are spelled', () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/', // 127.0.0.1 as one number
      'https://0x7f.1/',
      'https://169.254.169.254/latest/meta-data/', // a cloud's metadata endpoint
      'https://169.254.169.254./',
      'https://10.96.0.1/', // a cluster's API server service
      'https://172.20.1.1/',
      'https://192.168.1.10/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[fd00::1]/',
      'https://[fe80::1]/',
    ]) {
      expect(publicHttpsUrlProblem(url), url).toBe('must not point at a private, loopback, link-local or reserved address');
    }
  });

  it('refuses names that resolve inside a cluster or a host', () => {
    for (const url of ['https://kubernetes/', 'https://KUBERNETES.default.svc/', 'https://api.matih.svc.cluster.local/', 'https://localhost/', 'https://app.localhost/', 'https://metadata.google.internal/', 'https://printer.local/']) {
      expect(publicHttpsUrlProblem(url), url).toMatch(/^must (not name a host inside|name a host by its fully qualified)/);
    }
  });

  it('refuses other schemes, credentials in the URL, and very long URLs', () => {
    expect(publicHttpsUrlProblem('http://hooks.acme.example/')).toBe('must be an https URL');
    expect(publicHttpsUrlProblem('ftp://hooks.acme.example/')).toBe('must be an https URL');
    expect(publicHttpsUrlProblem('not a url')).toBe('must be an https URL');
    expect(publicHttpsUrlProblem('https://user:pw@hooks.acme.example/')).toMatch(/user name or password/);
    expect(publicHttpsUrlProblem(`https://hooks.acme.example/${'a'.repeat(2100)}`)).toMatch(/at most 2048/);
  });
});
