import { describe, expect, it } from 'vitest';
import { cidrProblem, hostCidr, parseCidr, parseIp, strictlyContains } from '../../src/domain/cidr.js';

describe('CIDR blocks, as a NetworkPolicy ipBlock takes them', () => {
  it('parse IPv4 and IPv6 addresses, compressed or with a trailing dotted quad', () => {
    expect(parseIp('10.20.0.4')).toEqual({ family: 4, value: 0x0a140004n });
    expect(parseIp('::')).toEqual({ family: 6, value: 0n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('2001:DB8::8:1')).toEqual({ family: 6, value: (0x20010db8n << 96n) | (8n << 16n) | 1n });
    expect(parseIp('1:2:3:4:5:6:7::')).toEqual({ family: 6, value: 0x0001000200030004000500060007_0000n });
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ family: 6, value: 0xffff0a000001n });
    expect(parseIp('0:0:0:0:0:ffff:10.0.0.1')).toEqual(parseIp('::ffff:10.0.0.1'));
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '::ffff:10.0.0', 'host.example']) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });

  it('accept network addresses with a prefix, and say what is wrong with anything else', () => {
    expect(cidrProblem('0.0.0.0/0')).toBeUndefined();
    expect(cidrProblem('10.20.0.4/32')).toBeUndefined();
    expect(cidrProblem('fc00::/7')).toBeUndefined();
    expect(cidrProblem('::/0')).toBeUndefined();
    expect(cidrProblem('10.0.0.0')).toMatch(/not a CIDR block such as/);
    expect(cidrProblem('10.0.0.0/8/8')).toMatch(/not a CIDR block such as/);
    expect(cidrProblem('10.0.0.0/33')).toMatch(/prefix must be 0 to 32/);
    expect(cidrProblem('fd00::/129')).toMatch(/prefix must be 0 to 128/);
    expect(cidrProblem('10.0.0.0/08')).toMatch(/prefix/);
    expect(cidrProblem('10.1.2.3/8')).toMatch(/bits set past its prefix/);
    expect(cidrProblem('fd00::1/8')).toMatch(/bits set past its prefix/);
    expect(cidrProblem('example.com/32')).toMatch(/not an IPv4 or IPv6 address/);
  });

  it('make a one-address block of an address, and nothing of a name', () => {
    expect(hostCidr('10.20.0.4')).toBe('10.20.0.4/32');
    expect(hostCidr('FD00::4')).toBe('fd00::4/128');
    expect(hostCidr('postgres.example.com')).toBeUndefined();
  });

  it('tell a strictly smaller block inside another, in the same family only', () => {
    const c = (text: string) => parseCidr(text) ?? (() => { throw new Error(text); })();
    expect(strictlyContains(c('0.0.0.0/0'), c('10.0.0.0/8'))).toBe(true);
    expect(strictlyContains(c('10.0.0.0/8'), c('10.244.0.0/16'))).toBe(true);
    expect(strictlyContains(c('10.0.0.0/8'), c('10.0.0.0/8'))).toBe(false);
    expect(strictlyContains(c('10.244.0.0/16'), c('10.0.0.0/8'))).toBe(false);
    expect(strictlyContains(c('10.0.0.0/8'), c('11.0.0.0/16'))).toBe(false);
    expect(strictlyContains(c('::/0'), c('fc00::/7'))).toBe(true);
    expect(strictlyContains(c('::/0'), c('10.0.0.0/8'))).toBe(false);
    expect(strictlyContains(c('0.0.0.0/0'), c('fc00::/7'))).toBe(false);
  });
});
