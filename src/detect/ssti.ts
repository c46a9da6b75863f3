/**
 * Server-side template injection in one value. Finds template expressions in every common syntax
 * (`{{ }}` Jinja/Twig/Angular, `{% %}`, `${ }` Freemarker/EL/Thymeleaf, `<%= %>` ERB/JSP,
 * `#{ }` Ruby/EL, `*{ }` Thymeleaf, `@( )` Razor, `[[ ]]` Thymeleaf inline) and judges what is
 * inside: an arithmetic probe (`7*7`), Python object traversal (`__class__`, `__mro__`,
 * `__subclasses__`, `__globals__`…, `lipsum`, `cycler`, `config.items`), Java/EL reflection
 * (`T(java.lang.Runtime)`, `getClass().forName`), calls to system/exec. Engine-specific statements
 * count anywhere: Freemarker `<#assign` and `?new()`, Velocity `#set(`, Smarty `{php}`.
 * A placeholder with a plain name (`Hello {{name}}`) is benign at paranoia 1.
 */
import type { Finding } from '../core/findings.js';
import type { DetectorOptions, InspectedValue, Paranoia, ValueDetector } from './types.js';

const MAX_SCAN = 64 * 1024;
const MAX_EXPR = 256;
const MAX_OPENERS = 128;
/** Lowest internal strength reported (0.5 on the engine's scale). */
const REPORT = 0.35;
/**
 * Internal strengths put 0.5 at "fires at paranoia 1"; the engine compares against 0.7 / 0.5 / 0.3
 * (detect.thresholds). This maps 0.5 to 0.7 and 0.35 to 0.5, monotonically.
 */
const toEngineScore = (s: number): number =>
  Math.round(Math.min(1, s >= 0.5 ? 0.7 + 0.6 * (s - 0.5) : 0.7 - (4 / 3) * (0.5 - s)) * 100) / 100;

const DELIMITERS: readonly [string, string][] = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['${', '}'],
  ['<%', '%>'],
  ['#{', '}'],
  ['*{', '}'],
  ['@(', ')'],
  ['[[', ']]'],
  ['{$', '}'],
];

/** Inside a template expression: object traversal and reflection that reach the runtime. */
const TRAVERSAL = [
  '__class__',
  '__mro__',
  '__subclasses__',
  '__globals__',
  '__builtins__',
  '__init__',
  '__import__',
  '__getattribute__',
  '__base__',
  '__bases__',
  '__dict__',
  '_templatereference__context',
  'config.items',
  'config.__class__',
  'lipsum',
  'cycler',
  'joiner',
  'namespace.__init__',
  'url_for.__globals__',
  'get_flashed_messages',
  'request.application',
  'request.environ',
  'self.__dict__',
  'getclass()',
  'getclass().forname',
  '.forname(',
  'getruntime()',
  'java.lang.runtime',
  'java.lang.processbuilder',
  'java.lang.system',
  'processbuilder',
  't(java.',
  '@java.lang',
  '#_memberaccess',
  '#context',
  'constructor.constructor',
  '_self.env',
  'registerundefinedfiltercallback',
  'getfilter(',
  'freemarker.template.utility',
  'objectconstructor',
  '.getclassloader',
  'class.inspect',
  'process.mainmodule',
  "require('child_process",
  'require("child_process',
  'child_process',
];
/** Calls that run commands or code, inside an expression. */
const EXEC_CALLS = [
  'system(',
  'exec(',
  'popen(',
  'eval(',
  'spawn(',
  'execsync(',
  'passthru(',
  'shell_exec(',
  'io.popen',
  'file.open',
  'file.read',
  'open(',
  "map('system')",
  "filter('system')",
  '|system',
];
/** Engine statements that mean template code no matter where they appear. */
const STATEMENTS: readonly [string, number, string][] = [
  ['<#assign', 0.9, 'Freemarker <#assign'],
  ['?new(', 0.9, 'Freemarker ?new()'],
  ['freemarker.template.utility.execute', 0.95, 'Freemarker Execute'],
  ['#set(', 0.7, 'Velocity #set'],
  ['{php}', 0.9, 'Smarty {php}'],
  ['{system(', 0.9, 'Smarty {system()}'],
  ['{$smarty.', 0.8, 'Smarty variable'],
  ['$class.inspect', 0.9, 'Velocity class inspection'],
  ['#foreach(', 0.6, 'Velocity #foreach'],
  ['__subclasses__()', 0.85, 'Python __subclasses__()'],
  ['.__class__.__mro__', 0.85, 'Python __mro__ traversal'],
  ['t(java.lang.runtime)', 0.9, 'SpEL T(java.lang.Runtime)'],
];
const JINJA_STATEMENTS = [
  'if ',
  'for ',
  'set ',
  'import ',
  'include ',
  'macro ',
  'from ',
  'extends ',
  'raw',
  'call ',
  'with ',
  'block ',
  'while ',
  'unless ',
  'each ',
];

interface Hit {
  score: number;
  at: number;
  why: string;
}

const isIdentChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 32 || c === 9 || c === 124;

/** `7*7`, `7*'7'`, `1337 * 1337`, `{{7*7}}`: an arithmetic probe with two numbers and an operator. */
function isArithmetic(expr: string): boolean {
  const e = expr.replace(/[\s'"=]/g, '');
  if (e.length === 0 || e.length > 40) return false;
  let ops = 0;
  let nums = 0;
  let inNum = false;
  for (let i = 0; i < e.length; i++) {
    const c = e.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (!inNum) nums++;
      inNum = true;
    } else if (c === 42 || c === 43 || c === 45 || c === 47 || c === 37 || c === 40 || c === 41) {
      if (c !== 40 && c !== 41) ops++;
      inNum = false;
    } else return false;
  }
  return ops >= 1 && nums >= 2;
}

function judgeExpression(expr: string, opener: string, paranoia: Paranoia): { score: number; why: string } {
  const e = expr.trim();
  if (e.length === 0) return { score: 0, why: '' };
  if (opener === '${' && e.startsWith('jndi:')) return { score: 0, why: '' }; // log4shell's
  for (const t of TRAVERSAL) if (e.includes(t)) return { score: 0.95, why: `object traversal (${t})` };
  for (const c of EXEC_CALLS) if (e.includes(c)) return { score: 0.85, why: `code execution (${c})` };
  if (opener === '<%' && e.includes('`')) return { score: 0.85, why: 'shell backticks in ERB' };
  if (isArithmetic(e)) return { score: 0.85, why: `arithmetic probe ${opener}${e.slice(0, 20)}` };
  if (opener === '{%' || opener === '<%') {
    const statement = JINJA_STATEMENTS.find((k) => e.startsWith(k));
    if (statement) return { score: 0.6, why: `template statement ${opener} ${statement.trim()}` };
  }
  // a plain variable or filter chain (`name`, `user.name | upper`): a placeholder
  let plain = true;
  for (let i = 0; i < e.length; i++) {
    if (!isIdentChar(e.charCodeAt(i))) {
      plain = false;
      break;
    }
  }
  if (plain) return { score: paranoia >= 3 ? 0.5 : 0.2, why: 'template placeholder' };
  // a call or an operator inside a template expression
  if (e.includes('(') && e.includes(')'))
    return { score: paranoia >= 2 ? 0.55 : 0.4, why: 'call in template expression' };
  return { score: paranoia >= 3 ? 0.5 : 0.25, why: 'template expression' };
}

/**
 * Prefilter, derived from DELIMITERS and STATEMENTS: each opener or statement contains `{`, `<%`,
 * `<#`, `[[`, `__`, `$class`, `freemarker.`, or a `(` right after `@` (`@(`), `w` (`?new(`),
 * `t` (`#set(`, `T(java…`), `h` (`#foreach(`) or `_` (`__subclasses__()`). A value with none of
 * them has no expression and no statement. U+0130 and U+212A (lower-cased to ASCII) pass.
 */
const TEMPLATE_TRIGGER = /[{\u0130\u212a]|<[%#]|\[\[|__|[@wth_]\(|\$class|freemarker\./i;
export function mayBeTemplate(v: string): boolean {
  return TEMPLATE_TRIGGER.test(v);
}

function analyze(input: InspectedValue, paranoia: Paranoia): Hit | undefined {
  const raw = input.value.length > MAX_SCAN ? input.value.slice(0, MAX_SCAN) : input.value;
  const s = raw.toLowerCase();
  let best: Hit | undefined;
  const hit = (score: number, at: number, why: string): void => {
    if (best === undefined || score > best.score) best = { score, at, why };
  };
  for (const [open, close] of DELIMITERS) {
    let i = s.indexOf(open);
    for (let n = 0; i >= 0 && n < MAX_OPENERS; n++) {
      const from = i + open.length + (open === '<%' && (s[i + 2] === '=' || s[i + 2] === '-') ? 1 : 0);
      // the closer is searched in a bounded window: no rescans of a huge value per opener
      const rel = s.slice(from, from + MAX_EXPR + close.length).indexOf(close);
      const end = rel < 0 ? -1 : from + rel;
      const limit = end < 0 ? Math.min(s.length, from + MAX_EXPR) : end;
      const j = judgeExpression(s.slice(from, limit), open, paranoia);
      if (j.score > 0) hit(end < 0 ? j.score - 0.1 : j.score, i, j.why);
      i = s.indexOf(open, i + open.length);
    }
  }
  for (const [needle, score, why] of STATEMENTS) {
    const at = s.indexOf(needle);
    if (at >= 0) hit(score, at, why);
  }
  // prose and code legitimately quote template syntax
  if (
    best !== undefined &&
    (input.profile === 'code' || input.profile === 'markup' || input.profile === 'llm-message')
  ) {
    const b = best as Hit;
    if (b.score < 0.9) b.score -= 0.2;
  }
  return best;
}

export const sstiDetector: ValueDetector = {
  kind: 'value',
  id: 'ssti',
  category: 'injection',
  compile(options: DetectorOptions): (input: InspectedValue) => Finding[] {
    const paranoia = options.paranoia;
    return (input) => {
      if (input.value.length < 4 || !mayBeTemplate(input.value)) return [];
      const best = analyze(input, paranoia);
      if (best === undefined || best.score < REPORT) return [];
      return [
        {
          category: 'injection',
          subtype: 'ssti',
          detector: 'ssti',
          severity: best.score < 0.5 ? 'low' : best.score >= 0.9 ? 'critical' : 'high',
          score: toEngineScore(best.score),
          location: input.location,
          fragment: input.value.slice(best.at, best.at + 120),
          message: `SSTI: ${best.why}`,
        },
      ];
    };
  },
};
