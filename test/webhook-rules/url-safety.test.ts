import { describe, expect, it } from 'vitest';
import { addressProblem, classifyAddress, resolvedProblem, urlProblems } from '../../src/webhook-rules/url-safety.ts';

const strict = { allowLoopback: false };
const loose = { allowLoopback: true };

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd00::1', 'private'],
    ['fc12::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['::', 'reserved'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['8.8.8.8', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('allows loopback only when told, and never private or link-local', () => {
    expect(addressProblem('127.0.0.1', strict)).toMatch(/loopback/);
    expect(addressProblem('127.0.0.1', loose)).toBeUndefined();
    expect(addressProblem('10.0.0.1', loose)).toMatch(/private/);
    expect(addressProblem('169.254.169.254', loose)).toMatch(/link-local/);
    expect(addressProblem('93.184.216.34', strict)).toBeUndefined();
  });
});

describe('webhook URLs', () => {
  it('accepts https to a public host, and http to loopback only when loopback is allowed', () => {
    expect(urlProblems('https://hooks.example.com/license-courier', strict)).toEqual([]);
    expect(urlProblems('https://93.184.216.34:8443/x', strict)).toEqual([]);
    expect(urlProblems('http://127.0.0.1:9000/hook', loose)).toEqual([]);
    expect(urlProblems('http://localhost:9000/hook', loose)).toEqual([]);
    expect(urlProblems('http://[::1]:9000/hook', loose)).toEqual([]);
  });

  it.each([
    ['http://hooks.example.com/', strict, /https/],
    ['http://hooks.example.com/', loose, /http:\/\/ only to a loopback host/],
    ['http://127.0.0.1:9000/', strict, /https/],
    ['https://127.0.0.1/', strict, /loopback/],
    ['http://169.254.169.254/latest/meta-data/', loose, /link-local/],
    ['https://169.254.169.254/', strict, /link-local/],
    ['https://10.0.0.8/', loose, /private/],
    ['https://[::ffff:192.168.0.1]/', strict, /private/],
    ['https://0x7f.1/', strict, /loopback/],
    ['https://2130706433/', strict, /loopback/],
    ['https://user:pw@hooks.example.com/', strict, /user name or password/],
    ['ftp://hooks.example.com/', strict, /https/],
    ['not a url', strict, /absolute URL/],
    ['https://hooks.example.com/#x', strict, /fragment/],
  ])('refuses %s', (url, policy, problem) => {
    expect(urlProblems(url, policy).join('; ')).toMatch(problem);
  });

  it('refuses a name when any address it resolves to is not public, or when it resolves to nothing', () => {
    expect(resolvedProblem('hooks.example.com', ['93.184.216.34'], strict)).toBeUndefined();
    expect(resolvedProblem('rebind.example', ['93.184.216.34', '10.0.0.1'], strict)).toMatch(
      /10\.0\.0\.1 is a private address/,
    );
    expect(resolvedProblem('localhost', ['127.0.0.1', '::1'], strict)).toMatch(/loopback/);
    expect(resolvedProblem('localhost', ['127.0.0.1', '::1'], loose)).toBeUndefined();
    expect(resolvedProblem('nowhere.example', [], strict)).toMatch(/does not resolve/);
  });
});
