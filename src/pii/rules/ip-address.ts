// IP addresses. IPv4: dotted quad, each octet 0–255 without leading zeros beyond one digit.
// IPv6: full and compressed (::) forms, with an optional embedded IPv4 tail; validated in code.
// Not matched: "::1"-style single-group addresses, zone ids (%eth0), CIDR suffixes (not part of
// the span), dotted quads glued to more dots or digits (version strings such as 1.2.3.4.5).
import { contextRegExp, contextScore } from '../context.js';
import type { PiiSpan } from '../types.js';
import { type RuleRecognizer, ruleSpan, scan } from './recognizer.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])(?:${OCTET}\\.){3}${OCTET}(?!\\.?\\d|\\w)`, 'g');
// Candidate: 2–7 "hex:" groups then a tail of hex and dots; each group stops at ':'.
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]{0,15}(?![\w:])/g;
const IPV4_EXACT = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const VERSION_BEFORE = /(?:version|ver\.?|release|build)\s*$/i;
const CONTEXT = contextRegExp(['ip', 'ipv4', 'ipv6', 'address', 'host', 'server', 'client', 'from']);

/** Validates an IPv6 text: at most one '::', 1–4 hex digits per group, 8 groups in all. */
export function validIpv6(candidate: string): boolean {
  const halves = candidate.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    const last = i === groups.length - 1;
    if (last && g.includes('.')) {
      if (!IPV4_EXACT.test(g)) return false;
      count += 2;
    } else if (HEX_GROUP.test(g)) count += 1;
    else return false;
  }
  if (!/\d/.test(candidate) || groups.length < 2) return false;
  return halves.length === 2 ? count < 8 : count === 8;
}

function ipv4Spans(text: string): PiiSpan[] {
  return scan(text, IPV4, (m) => {
    if (VERSION_BEFORE.test(text.slice(Math.max(0, m.index - 16), m.index))) return undefined;
    const end = m.index + m[0].length;
    return ruleSpan('IP_ADDRESS', text, m.index, end, contextScore(text, m.index, end, 0.6, CONTEXT));
  });
}

function ipv6Spans(text: string): PiiSpan[] {
  return scan(text, IPV6, (m) => {
    const candidate = m[0].replace(/\.+$/, ''); // a sentence's full stop is no part of it
    if (!validIpv6(candidate)) return undefined;
    const end = m.index + candidate.length;
    const base = candidate.includes('::') ? 0.6 : 0.7;
    return ruleSpan('IP_ADDRESS', text, m.index, end, contextScore(text, m.index, end, base, CONTEXT));
  });
}

export const ipAddressRecognizer: RuleRecognizer = {
  type: 'IP_ADDRESS',
  find: (text) => {
    const v6 = ipv6Spans(text);
    // An IPv4 tail of an IPv6 address (::ffff:1.2.3.4) is part of that address, not a second one.
    const v4 = ipv4Spans(text).filter((s) => !v6.some((o) => o.start <= s.start && s.end <= o.end));
    return [...v4, ...v6];
  },
};
