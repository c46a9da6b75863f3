// Serialized objects in a value, which a deserializer turns into live objects with attacker-chosen
// classes: PHP (`O:8:"stdClass":1:{…}`, checked against its own length field), Java (the stream
// magic AC ED 00 05 raw, as hex or as base64 `rO0AB`), Python pickle (base64 of protocol 2-5
// headers, or the GLOBAL opcode naming os/subprocess), node-serialize functions
// (`_$$ND_FUNC$$_`, funcster's `__js_function`), .NET BinaryFormatter, and YAML tags that construct classes (`!!python/…`,
// `!!javax.script.…`, `!ruby/object:`).
import { findWithin, isDigit, isIdent, isIdentStart, type Report, readQualified } from './lex.js';

const MAX_CANDIDATES = 256;

/** Base64 of pickle protocol 2-5 headers. */
export const PICKLE_HEADS = ['gASV', 'gAWV', 'gAJj', 'gANj', 'gAJ9', 'gAN9'];
/** Modules whose GLOBAL opcode (`c<module>\n`) names code to run. */
export const PICKLE_MODULES = [
  'os',
  'posix',
  'nt',
  'subprocess',
  'builtins',
  '__builtin__',
  'commands',
  'pty',
];

const isBase64 = (c: number): boolean => isIdent(c) || c === 43 || c === 47 || c === 45;
const isHex = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** `O:8:"stdClass":1:{` (also `C:`, and `O:+8:` which slips past `O:\d` filters). */
function phpObjects(s: string, report: Report): void {
  let p = s.indexOf(':"');
  for (let n = 0; p >= 0 && n < MAX_CANDIDATES; n++) {
    let k = p - 1;
    let declared = 0;
    let scale = 1;
    while (k >= 0 && p - k <= 6 && isDigit(s.charCodeAt(k))) {
      declared += (s.charCodeAt(k) - 48) * scale;
      scale *= 10;
      k--;
    }
    if (k < p - 1) {
      if (s.charCodeAt(k) === 43 /* + */) k--;
      const tag = s.charCodeAt(k - 1);
      const before = k >= 2 ? s.charCodeAt(k - 2) : 0;
      if (s.charCodeAt(k) === 58 && (tag === 111 || tag === 99) && !isIdent(before)) {
        const close = findWithin(s, '"', p + 2, 256);
        if (close > 0) {
          let j = close + 1;
          if (s.charCodeAt(j) === 58) {
            j++;
            const from = j;
            while (j < s.length && j - from < 6 && isDigit(s.charCodeAt(j))) j++;
            if (j > from && s.charCodeAt(j) === 58 && s.charCodeAt(j + 1) === 123) {
              const name = s.slice(p + 2, close);
              const exact = Buffer.byteLength(name, 'latin1') === declared && /^[a-z_\\][\w\\]*$/.test(name);
              report(exact ? 0.9 : 0.7, k - 1, 'serialized PHP object');
              return;
            }
          }
        }
      }
    }
    p = s.indexOf(':"', p + 2);
  }
}

/** A signature that starts a token (the character before is not part of the same encoding). */
function tokenStart(raw: string, needle: string, inToken: (c: number) => boolean): number {
  let i = raw.indexOf(needle);
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES; n++) {
    if (i === 0 || !inToken(raw.charCodeAt(i - 1))) return i;
    i = raw.indexOf(needle, i + 1);
  }
  return -1;
}

function java(raw: string, s: string, report: Report): void {
  let at = tokenStart(raw, 'rO0AB', isBase64);
  if (at >= 0) report(0.9, at, 'serialized Java object (base64 rO0AB…)');
  at = tokenStart(s, 'aced0005', isHex);
  // a stream goes on with an object (`73…`, hex): `aced0005-…` is a UUID that happens to start so
  if (at >= 0 && isHex(s.charCodeAt(at + 8)) && isHex(s.charCodeAt(at + 9))) {
    report(0.9, at, 'serialized Java object (hex aced0005)');
  }
  at = raw.indexOf('\u00ac\u00ed\u0000\u0005');
  if (at >= 0) report(0.95, at, 'serialized Java object (stream magic)');
  // the magic at byte offset 1 or 2 of a base64 blob: six case-sensitive letters no word or
  // identifier starts with, and a random token does once in 2^36
  for (const shifted of ['KztAAU', 'Cs7QAF']) {
    at = tokenStart(raw, shifted, isBase64);
    if (at >= 0) report(0.55, at, 'serialized Java object (shifted base64)');
  }
}

/** Pickle protocol 2-5 headers in base64, and the GLOBAL opcode naming a module that runs code. */
function pickle(raw: string, report: Report): void {
  for (const head of PICKLE_HEADS) {
    const at = tokenStart(raw, head, isBase64);
    if (at >= 0 && raw.length - at >= 16) {
      report(0.7, at, 'serialized Python object (pickle, base64)');
      return;
    }
  }
  for (const module of PICKLE_MODULES) {
    const needle = `c${module}\n`;
    const at = raw.indexOf(needle);
    if (
      at >= 0 &&
      (at === 0 || !isIdent(raw.charCodeAt(at - 1))) &&
      isIdentStart(raw.charCodeAt(at + needle.length))
    ) {
      report(0.9, at, `pickle GLOBAL ${module}`);
      return;
    }
  }
}

function yamlTags(raw: string, s: string, report: Report): void {
  const python = s.indexOf('!!python/');
  if (python >= 0) report(0.95, python, 'YAML !!python/ tag');
  const ruby = s.indexOf('!ruby/');
  if (ruby >= 0 && (s.startsWith('object:', ruby + 6) || s.startsWith('hash:', ruby + 6))) {
    report(0.85, ruby, 'YAML !ruby/object tag');
  }
  let i = raw.indexOf('!!');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES; n++) {
    const q = readQualified(raw, i + 2);
    if (q.segments.length >= 2) {
      const root = q.segments[0].toLowerCase();
      const jvm = root === 'java' || root === 'javax' || root === 'com' || root === 'org' || root === 'sun';
      report(jvm ? 0.9 : 0.6, i, `YAML tag constructing ${q.segments.join('.')}`);
      return;
    }
    i = raw.indexOf('!!', i + 2);
  }
}

export function scanSerialized(raw: string, s: string, report: Report): void {
  if (s.includes(':"')) phpObjects(s, report);
  java(raw, s, report);
  pickle(raw, report);
  if (s.includes('!')) yamlTags(raw, s, report);
  const node = s.indexOf('_$$nd_func$$_');
  if (node >= 0) report(0.95, node, 'node-serialize function (_$$ND_FUNC$$_)');
  // funcster's marker: `{"__js_function": "function(){…}"}` is revived with eval
  const funcster = s.indexOf('__js_function');
  if (funcster >= 0 && !isIdent(s.charCodeAt(funcster + 13)))
    report(0.7, funcster, 'funcster serialized function (__js_function)');
  const net = tokenStart(raw, 'AAEAAAD/////', isBase64);
  if (net >= 0) report(0.9, net, 'serialized .NET object (BinaryFormatter)');
}
