/**
 * `cidr` matching: an IPv4 or IPv6 address of the event inside the pattern's block.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html#filtering-ip-matching
 */
// Addresses are numbers compared under a mask: bit operations are what the comparison is.
/* eslint-disable no-bitwise */
import { isIPv4, isIPv6 } from 'net';
import type { Compiled } from './types';

/** The address as a number of `bits` bits, or undefined when it is not an address of that family. */
function addressValue(text: string, bits: 32 | 128): bigint | undefined {
  if (bits === 32) {
    if (!isIPv4(text)) return undefined;
    return text.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);
  }
  if (!isIPv6(text)) return undefined;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) counts as two groups.
  const groups = (part: string | undefined): string[] => {
    if (!part) return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      const v4 = addressValue(group, 32) ?? 0n;
      return [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
    });
  };
  const first = groups(head);
  const last = groups(tail);
  const all = tail === undefined ? first : [...first, ...Array(8 - first.length - last.length).fill('0'), ...last];
  return all.reduce((sum, group) => (sum << 16n) + BigInt(parseInt(group || '0', 16)), 0n);
}

export function cidrMatcher(block: string): Compiled {
  const [address, prefixText] = block.split('/');
  const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : undefined;
  const prefix = Number(prefixText);
  if (bits === undefined || !/^\d+$/.test(prefixText ?? '') || prefix > bits) {
    return { problem: `cidr "${block}" is not an IPv4 or IPv6 block` };
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  const network = addressValue(address, bits)! & mask;
  return {
    test: (value) => {
      if (typeof value !== 'string') return false;
      const candidate = addressValue(value, bits);
      return candidate !== undefined && (candidate & mask) === network;
    },
  };
}
