/**
 * Judges a folded SQL token stream against token-sequence shapes derived from SQL grammar.
 * Every loop is bounded by the token count; recursion depth is bounded by MAX_DEPTH.
 */
import type { Tok } from './lexer.js';
import {
  BARE_INFO,
  COMPARE,
  DANGER_FUNCS,
  INFO_FUNCS,
  INT_TYPES,
  JSON_OPS,
  OOB_NAMES,
  SQL_FUNCS,
  SQL_ONLY_COMPARE,
  STATEMENT_WORDS,
  WRAP_FUNCS,
  isSpecificSystemTable,
} from './words.js';

const MAX_DEPTH = 6;

/** Clauses that may follow the first column of a SELECT list (`select x group by …`). */
const SELECT_CLAUSES = new Set(['from', 'into', 'where', 'group by', 'order by', 'having', 'limit']);
/** DDL actions after `alter table <name>`: the clause that makes it a full statement. */
const ALTER_ACTIONS = new Set(['add', 'change', 'modify', 'drop', 'rename', 'alter', 'convert', 'engine']);
const SQL_WORD_OPS = new Set(['like', 'rlike', 'regexp', 'similar', 'glob', 'sounds']);
/** Statements after a punctuation opening the value (`/create table x`, `>set @x = 1`). */
const DDL_VERBS = new Set(['create', 'alter', 'drop', 'truncate', 'set', 'declare']);
const DDL_OBJECTS = new Set([
  'table',
  'database',
  'procedure',
  'function',
  'user',
  'view',
  'index',
  'schema',
  'trigger',
  'login',
  'or',
  'temporary',
  'role',
]);
/** Databases that exist only on database servers: `exec master..`, `msdb.dbo.…`. */
const SYSTEM_DB_QUALIFIERS = ['master.', 'msdb.', 'tempdb.', 'sys.', 'mysql.', 'pg_catalog.'];

interface Ev {
  end: number;
  cmp: boolean;
  /** a comparison had a literal, call or subquery on one side */
  cmpLit: boolean;
  /** a comparison of two literals (1=1, 'a'='a') */
  cmpLitLit: boolean;
  sub: boolean;
  danger: boolean;
  sqlFunc: boolean;
  /** a conditional (CASE, IF(), IIF()) was seen */
  cond: boolean;
  /** single operand kind when no operator followed: lit | call | name */
  kind: 'lit' | 'call' | 'name' | 'expr';
}

export interface Judged {
  score: number;
  rule: string;
  at: number;
}

export class Judge {
  constructor(private readonly t: Tok[]) {}

  private matchParen(i: number): number {
    const t = this.t;
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      if (t[j]!.c === '(') depth++;
      else if (t[j]!.c === ')') {
        depth--;
        if (depth === 0) return j;
      }
    }
    return t.length;
  }

  /** Flags of a token range, scanned linearly. */
  private flags(a: number, b: number, ev: Ev): void {
    const t = this.t;
    for (let j = a; j < b && j < t.length; j++) {
      const x = t[j]!;
      if (x.c === 'f') {
        if (DANGER_FUNCS.has(x.w)) ev.danger = true;
        else if (SQL_FUNCS.has(x.w)) ev.sqlFunc = true;
        if (x.w === 'if' || x.w === 'iif') ev.cond = true;
      } else if (x.c === 'k' && x.w === 'case') ev.cond = true;
      else if (x.c === 'k' && x.w === 'select') ev.sub = true;
      else if (x.c === 'k' && x.w === 'waitfor') ev.danger = true;
      else if (x.c === 'o' && COMPARE.has(x.w) && j > a) {
        ev.cmp = true;
        const l = t[j - 1]!.c;
        const r = t[j + 1]?.c;
        const litL = l === '1' || l === 's' || l === ')';
        const litR = r === '1' || r === 's' || r === 'f' || r === '(';
        if (litL || litR) ev.cmpLit = true;
        if ((l === '1' || l === 's') && (r === '1' || r === 's')) ev.cmpLitLit = true;
      }
    }
  }

  /** No two operands side by side (`8 hours`): the range reads as SQL rather than prose. */
  private wellFormed(a: number, b: number): boolean {
    const t = this.t;
    for (let j = a + 1; j < b && j < t.length; j++) {
      const x = t[j - 1]!.c;
      const y = t[j]!.c;
      const xo = x === '1' || x === 's' || x === 'n' || x === 'v';
      const yo = y === '1' || y === 's' || y === 'n' || y === 'v' || y === 'f';
      if (xo && yo) {
        // a table alias: `from all_users t1, all_users t2`
        const w = t[j - 2];
        const alias =
          x === 'n' &&
          y === 'n' &&
          w !== undefined &&
          (w.c === ',' || (w.c === 'k' && (w.w === 'from' || w.w === 'join')));
        if (!alias) return false;
      }
    }
    return true;
  }

  /** One operand: literal, name, variable, call, parenthesised expression or subquery, CASE … END. */
  private primary(i: number, depth: number): Ev | null {
    const t = this.t;
    const x = t[i];
    if (x === undefined || depth > MAX_DEPTH) return null;
    const ev: Ev = {
      end: i + 1,
      cmp: false,
      cmpLit: false,
      cmpLitLit: false,
      sub: false,
      danger: false,
      sqlFunc: false,
      cond: false,
      kind: 'lit',
    };
    switch (x.c) {
      case 's':
      case '1':
      case 'v':
        return ev;
      case 'n':
        ev.kind = 'name';
        return ev;
      case 'f': {
        const j = this.matchParen(i + 1);
        if (DANGER_FUNCS.has(x.w)) ev.danger = true;
        else if (SQL_FUNCS.has(x.w)) ev.sqlFunc = true;
        this.flags(i + 2, j, ev);
        ev.kind = 'call';
        ev.end = j + 1;
        return ev;
      }
      case '(': {
        const j = this.matchParen(i);
        this.flags(i + 1, j, ev);
        ev.kind = ev.sub ? 'call' : 'expr';
        ev.end = j + 1;
        return ev;
      }
      case 'k': {
        if (x.w === 'case') {
          let j = i + 1;
          while (j < t.length && !(t[j]!.c === 'k' && t[j]!.w === 'end')) j++;
          this.flags(i + 1, j, ev);
          ev.kind = 'call';
          ev.end = j + 1;
          return ev;
        }
        if (x.w === 'exists' && t[i + 1]?.c === '(') {
          const j = this.matchParen(i + 1);
          this.flags(i + 2, j, ev);
          ev.kind = 'call';
          ev.end = j + 1;
          return ev;
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** operand (op operand)* */
  private expr(i: number, depth = 0): Ev | null {
    const t = this.t;
    const first = this.primary(i, depth);
    if (first === null) return null;
    const ev = first;
    let guard = 0;
    while (guard++ < 32) {
      const op = t[ev.end];
      if (op === undefined || op.c !== 'o') break;
      if (op.w === 'notnull' || op.w === 'isnull') {
        // postfix null test: `email notnull`
        ev.cmp = true;
        if (ev.kind !== 'name') ev.cmpLit = true;
        ev.end++;
        ev.kind = 'expr';
        continue;
      }
      // `between a and b`
      const rhs = this.primary(ev.end + 1, depth + 1);
      if (rhs === null) break;
      const isCmp = COMPARE.has(op.w);
      if (isCmp) {
        ev.cmp = true;
        const leftLit = ev.kind !== 'name';
        const rightLit = rhs.kind !== 'name';
        if (leftLit || rightLit) ev.cmpLit = true;
        if (ev.kind === 'lit' && rhs.kind === 'lit') ev.cmpLitLit = true;
      }
      ev.sub ||= rhs.sub;
      ev.danger ||= rhs.danger;
      ev.sqlFunc ||= rhs.sqlFunc;
      ev.cond ||= rhs.cond;
      ev.cmp ||= rhs.cmp;
      ev.cmpLit ||= rhs.cmpLit;
      ev.end = rhs.end;
      ev.kind = 'expr';
      if (op.w === 'between' && t[ev.end]?.c === '&' && t[ev.end]!.w === 'and') {
        const r2 = this.primary(ev.end + 1, depth + 1);
        if (r2 !== null) ev.end = r2.end;
      }
    }
    return ev;
  }

  /** A SELECT column list start: `select 1,2`, `select null`, `select *`, `select a,b`, `select a from`. */
  selectList(i: number): boolean {
    const t = this.t;
    let x = t[i];
    if (x === undefined) return false;
    if (x.c === 'k' && (x.w === 'distinct' || x.w === 'all' || x.w === 'top')) {
      i++;
      if (t[i]?.c === '1' && t[i - 1]!.w === 'top') i++;
      x = t[i];
      if (x === undefined) return false;
    }
    if (x.c === '1' || x.c === 'v' || x.c === 'f' || x.c === '(') return true;
    // a string column first is only SQL when more of the list follows (`select 'a',2`)
    // `select 'qz'||(select …)`: a marker string concatenated with a subquery (error-based dumps)
    if (x.c === 's' && t[i + 1]?.w === '||' && t[i + 2]?.c === '(' && t[i + 3]?.w === 'select') return true;
    if (x.c === 's') return t[i + 1]?.c === ',' && t[i + 2]?.c !== 's';
    if (x.c === 'o' && x.w === '*') return true;
    if (x.c === 'k' && x.w === 'case') return true;
    if (x.c === 'n') {
      const y = t[i + 1];
      if (y === undefined) return false;
      return y.c === ',' || (y.c === 'k' && (y.w === 'from' || y.w === 'into')) || y.c === 'c';
    }
    return false;
  }

  /** A statement start after `;` (stacked query). */
  statement(i: number): boolean {
    const t = this.t;
    const x = t[i];
    if (x === undefined) return false;
    const y = t[i + 1];
    const z = t[i + 2];
    if (x.c === 'f') {
      if (DANGER_FUNCS.has(x.w)) return true;
      if (x.w !== 'if' && x.w !== 'iif') return false;
      // `;if(1=1) select …` / `;iif(1=2,1,1/0)`: a literal comparison or a statement after it
      const j = this.matchParen(i + 1);
      const ev: Ev = {
        end: j,
        cmp: false,
        cmpLit: false,
        cmpLitLit: false,
        sub: false,
        danger: false,
        sqlFunc: false,
        cond: false,
        kind: 'call',
      };
      this.flags(i + 2, j, ev);
      const after = t[j + 1];
      return (
        ev.cmpLitLit || ev.danger || (after !== undefined && after.c === 'k' && STATEMENT_WORDS.has(after.w))
      );
    }
    if (x.c !== 'k' && x.c !== 'n') return false;
    switch (x.w) {
      case 'select':
        return this.selectList(i + 1);
      case 'insert':
        return y?.w === 'into';
      case 'update':
        return y !== undefined && (y.c === 'n' || y.c === 'k') && z?.w === 'set';
      case 'delete':
        return y?.w === 'from' || (y?.c === 'n' && z?.w === 'from');
      case 'truncate':
        // MySQL's TABLE is optional: `truncate users`, `truncate[users]`
        if (y?.w === '[') return true;
        if (y?.c === 'n' && (z === undefined || z.c === ';' || z.c === 'c')) return true;
        return y !== undefined && DDL_OBJECTS.has(y.w);
      case 'drop':
      case 'create':
      case 'alter':
        return y !== undefined && DDL_OBJECTS.has(y.w);
      case 'exec':
      case 'execute':
        // `exec master..xp_cmdshell 'x'`, `exec(@q)`, `execute sp_x` — not `execute the procedure`
        return (
          this.execSystem(i) ||
          (y !== undefined &&
            (y.c === 'f' ||
              y.c === 'v' ||
              // Oracle dynamic SQL: `execute immediate '…'`
              y.w === 'immediate' ||
              y.c === '(' ||
              y.c === 's' ||
              (y.c === 'n' &&
                (y.w.includes('.') || y.w.includes('_') || z === undefined || z.c === 's' || z.c === ';'))))
        );
      case 'declare':
      case 'set':
        return y?.c === 'v';
      case 'shutdown':
        return y === undefined || y.c === 'c' || y.c === ';' || y.w === 'with';
      case 'waitfor':
        return y?.w === 'delay' || y?.w === 'time';
      case 'begin':
        // `begin dbms_lock.sleep(5); end` — a (qualified) call, not `begin the process`
        return y !== undefined && (y.c === 'f' || (y.c === 'n' && y.w.includes('.')));
      case 'call':
        return y?.c === 'f';
      case 'grant':
      case 'revoke':
        return y !== undefined && (y.c === 'k' || y.c === 'n') && z !== undefined;
      case 'copy':
        // PostgreSQL `copy t from '/file'`, `copy (select …) to …` — not `copy online card`
        return y?.c === '(' || (y?.c === 'n' && (z?.w === 'from' || z?.w === 'to'));
      case 'replace':
        if (y?.w === 'into') return true;
        for (let j = i + 1; j < t.length && j < i + 24; j++)
          if ((t[j]!.c === 'k' || t[j]!.c === 'f') && t[j]!.w === 'values') return true;
        return false;
      case 'pragma':
      case 'attach':
        return y !== undefined && y.c !== 'c';
      case 'show':
        return y !== undefined && ['tables', 'databases', 'grants', 'variables', 'columns'].includes(y.w);
      case 'load':
        return y?.w === 'data';
      case 'use':
        return y?.c === 'n' && (z === undefined || z.c === ';' || z.c === 'c');
      default:
        return false;
    }
  }

  /**
   * Shapes that follow a breakout point `p` (after the closing quote and parentheses, or after a
   * leading operand). `strong` says the prefix is a closed string (quote contexts) or a number.
   */
  tail(p: number, prefix: 'quote' | 'num' | 'name' | 'none', depth = 0): Judged | null {
    const t = this.t;
    const x = t[p];
    if (x === undefined || depth > MAX_DEPTH) return null;
    const quote = prefix === 'quote';
    const r = (score: number, rule: string): Judged => ({ score, rule, at: p });
    switch (x.c) {
      case '&': {
        // `' or 1=1`, `1 and sleep(5)`, `' or 'a'='a`, `' and unlikely(id)--`
        const e = this.expr(p + 1);
        if (e === null) return null;
        const shape = this.logicTail(p, prefix, depth, e);
        const led = this.logicLed(p, prefix, e);
        return led !== null && (shape === null || shape.score < led.score) ? led : shape;
      }
      case 'U': {
        const y = t[p + 1];
        if (y?.c === 'k' && y.w === 'select' && this.selectList(p + 2)) return r(0.95, 'union-select');
        if (y?.c === '(' && t[p + 2]?.w === 'select') return r(0.95, 'union-select');
        if (y?.c === 'k' && y.w === 'select') return r(quote ? 0.8 : 0.5, 'union-select');
        // `2 union all`, `' union`: the set operation cut short after a breakout (`all` folds away)
        if (y === undefined && (quote || prefix === 'num')) return r(0.5, 'union-fragment');
        return null;
      }
      case ';': {
        if (this.statement(p + 1)) return r(quote || prefix === 'num' ? 0.95 : 0.85, 'stacked-query');
        const y = t[p + 1];
        if (quote && (y === undefined || y.c === 'c')) return r(0.7, 'quote-semicolon');
        // `';select x`: a quote closed, then a statement keyword, even cut short
        if (quote && y?.c === 'k' && STATEMENT_WORDS.has(y.w)) return r(0.7, 'quote-semicolon-statement');
        return null;
      }
      case 'c':
        // `'#FF5733` is a colour, `'#` / `'-- -` / `')#` a truncation
        if (quote && x.w.startsWith('#') && /[a-z0-9]/.test(x.w.slice(1))) return r(0.4, 'quote-comment');
        if (quote) return r(0.75, 'quote-comment');
        if (prefix === 'num') return r(0.35, 'number-comment');
        return null;
      case 'o': {
        // `' notnull --`: a quote closed, then a postfix null test as the whole condition
        if (
          (x.w === 'notnull' || x.w === 'isnull') &&
          quote &&
          (t[p + 1] === undefined || t[p + 1]!.c === 'c')
        )
          return r(0.7, 'quote-operator-comment');
        // `) like (`, `)regexp(`: a parenthesised condition closed and a new one opened
        if (p > 0 && t[p - 1]!.c === ')' && t[p + 1]?.c === '(' && SQL_WORD_OPS.has(x.w))
          return r(0.5, 'paren-operator-paren');
        // `/create table x`: punctuation ending whatever came before, then a DDL statement
        if (p === 0 && prefix === 'none' && t[1]?.c === 'k' && DDL_VERBS.has(t[1]!.w) && this.statement(1))
          return r(0.5, 'punctuation-statement');
        if (x.w === 'in' && t[p + 1]?.w === 'boolean') {
          let q = p + 3;
          while (t[q]?.c === ')') q++;
          return this.tail(q, prefix, depth + 1);
        }
        const e = this.expr(p + 1);
        if (e === null) return null;
        if (e.danger) return r(0.9, 'operator-dangerous-function');
        if (e.sub) return r(prefix === 'name' || prefix === 'none' ? 0.6 : 0.9, 'operator-subquery');
        const after = t[e.end];
        if (after === undefined) {
          if (quote && x.w !== '*' && e.kind !== 'name') return r(0.45, 'quote-operator');
          // `1=1`, `42 like 42`, `'a' regexp 'b'` as the whole value: a probe. Weak, unless the
          // operator exists only in SQL or both sides are the same literal (a tautology).
          const first = t[0]!;
          if (p === 1 && COMPARE.has(x.w) && e.kind === 'lit' && (prefix === 'num' || prefix === 'name')) {
            const sqlOnly = SQL_ONLY_COMPARE.has(x.w);
            // the same literal on both sides of `=` (a tautology; `11!=11` is a plain contradiction)
            const same = first.w === t[2]?.w && first.c === t[2]?.c && (x.w === '=' || x.w === '==');
            // (CRS keeps these for paranoia 2 too: `1 is not 1` is as common in docs as in probes)
            if (first.c === '1') return r(sqlOnly || same ? 0.45 : 0.35, 'literal-comparison');
            // `'a'='a`, `'x'!='y`: two strings compared, the last left for the application's quote
            if (first.c === 's' && first.closed === true && t[2]?.c === 's' && t[2]!.closed !== true)
              return r(0.5, 'open-literal-comparison');
            if (first.c === 's' && first.closed === true && (sqlOnly || same))
              return r(0.45, 'literal-comparison');
          }
          return null;
        }
        if (after.c === 'c') {
          if (quote) return r(0.75, 'quote-operator-comment');
          return null;
        }
        if (after.c === '&' || after.c === ')' || after.c === 'U' || after.c === ';' || after.c === 'k') {
          let q = e.end;
          while (t[q]?.c === ')') q++;
          return this.tail(q, prefix, depth + 1);
        }
        return null;
      }
      case ',': {
        const e = this.expr(p + 1);
        if (e !== null && (e.danger || e.sub))
          return r(prefix === 'name' || prefix === 'none' ? 0.6 : 0.85, 'comma-subquery');
        if (e !== null && (e.kind === 'call' || e.cond) && e.cmpLitLit && e.end >= t.length)
          return r(prefix === 'name' || prefix === 'none' ? 0.5 : 0.8, 'comma-conditional');
        // `'a', '1'='1'`: a value list closed by a tautology of two equal literals
        const a = t[p + 1];
        const b = t[p + 3];
        if (
          e !== null &&
          e.end >= t.length &&
          p + 4 === t.length &&
          a !== undefined &&
          b !== undefined &&
          a.c === 's' &&
          a.c === b.c &&
          a.w === b.w &&
          t[p + 2]!.w === '='
        )
          return r(0.55, 'comma-tautology');
        return null;
      }
      case 'k':
        return this.keywordTail(p, prefix, depth);
      case '(': {
        // `1" (select …)`, `(select (case when …))`, `(1=2)*3` at the very start
        const e = this.expr(p);
        if (e === null || !this.wellFormed(p, e.end)) return null;
        if (e.sub && (e.cmp || e.danger || e.sqlFunc || quote)) return r(quote ? 0.85 : 0.8, 'subquery');
        if (e.danger) return r(0.8, 'dangerous-function');
        if (prefix === 'none' && e.cmpLitLit && e.end >= t.length) return r(0.55, 'literal-comparison');
        return null;
      }
      case 'f': {
        // `'+sleep(5)+'` decoded to `' sleep(5) '`: a closed string, then a time/out-of-band call
        if (quote && DANGER_FUNCS.has(x.w) && t[p + 1]?.c === '(') {
          const a = t[p + 2]?.c;
          if (
            a === '1' ||
            a === 's' ||
            a === 'f' ||
            a === '(' ||
            a === 'v' ||
            (a === 'n' && t[p + 3]?.c === ')')
          )
            return r(0.85, 'quote-dangerous-function');
        }
        // `iif(1=2,1,1/0)`, `elt(5953=5953,1)`, `sleep(5)` as the whole value
        if (prefix !== 'none') return null;
        // `if(1=`, `iif(2>`: the conditional of a blind injection opening the value, cut short
        if ((x.w === 'if' || x.w === 'iif') && p === 0 && t[p + 1]?.c === '(') {
          const a = t[p + 2];
          const op = t[p + 3];
          if ((a?.c === '1' || a?.c === 's') && op?.c === 'o' && COMPARE.has(op.w))
            return r(0.5, 'conditional-probe');
        }
        // `database()`, `user(`: a server-fact function as the whole value (numeric or blind context)
        if (p === 0 && INFO_FUNCS.has(x.w) && t[p + 1]?.c === '(') {
          const c = t[p + 2];
          if (c === undefined || (c.c === ')' && t[p + 3] === undefined))
            return r(0.5, 'information-function');
        }
        const e = this.expr(p);
        if (e === null || !this.wellFormed(p, e.end)) return null;
        if (e.danger) return r(0.8, 'dangerous-function');
        if (e.cmpLitLit && (e.sqlFunc || e.sub) && e.end >= t.length) return r(0.7, 'conditional-function');
        // `concat(0x7e,version())`, `char(65)` alone: weak evidence
        if (e.sqlFunc && e.kind === 'call' && e.end >= t.length) return r(0.4, 'sql-function');
        return null;
      }
      default:
        return null;
    }
  }

  /** What follows `or` / `and` at a breakout point, `e` being the operand after it. */
  private logicTail(
    p: number,
    prefix: 'quote' | 'num' | 'name' | 'none',
    depth: number,
    e: Ev,
  ): Judged | null {
    const t = this.t;
    const quote = prefix === 'quote';
    const r = (score: number, rule: string): Judged => ({ score, rule, at: p });
    if (e.danger) return r(0.95, 'logic-dangerous-function');
    if (e.sub) return r(0.9, 'logic-subquery');
    if (e.cmp) {
      if (e.cmpLitLit) return r(prefix === 'name' || prefix === 'none' ? 0.75 : 0.9, 'tautology');
      if (e.cmpLit) return r(prefix === 'name' || prefix === 'none' ? 0.45 : 0.85, 'logic-comparison');
      return r(quote ? 0.75 : prefix === 'num' ? 0.5 : 0.2, 'logic-name-comparison');
    }
    const after = t[e.end];
    const litLike = e.kind !== 'name';
    const bool = e.kind === 'lit' && (t[p + 1]?.w === 'true' || t[p + 1]?.w === 'false');
    if (after === undefined) {
      if (quote && litLike) return r(0.75, 'logic-operand');
      if (prefix === 'num' && bool) return r(0.6, 'logic-boolean');
      return null;
    }
    if (after.c === 'o' && COMPARE.has(after.w) && e.end === t.length - 1) {
      if (quote) return r(0.55, 'logic-dangling-comparison');
      // `or 'a' <` opening the value: a probe cut before its right operand
      if (prefix === 'num') return r(p === 0 ? 0.5 : 0.4, 'logic-dangling-comparison');
    }
    if (after.c === 'c' || after.c === ';') {
      if (quote) return r(litLike ? 0.85 : 0.7, 'logic-operand-comment');
      if (prefix === 'num' && litLike) return r(0.7, 'logic-operand-comment');
      return null;
    }
    if (after.c === '&' || after.c === ')') {
      let q = e.end;
      while (t[q]?.c === ')') q++;
      const rest = this.tail(q, prefix, depth + 1);
      if (rest !== null) return rest;
      if (quote && (e.kind === 'call' || e.sqlFunc)) return r(0.8, 'logic-call');
    }
    if (after.c === 'U' || after.c === 'k') {
      const rest = this.tail(e.end, prefix, depth + 1);
      if (rest !== null) return rest;
    }
    return null;
  }

  /**
   * A logic word that opens the injected part: `' or xyz` right after a quote that opens the value
   * (nothing was there to close but the application's own quote), or `xor` opening the value (no
   * word of prose). Weaker than a full shape, but no benign value starts that way.
   */
  private logicLed(p: number, prefix: 'quote' | 'num' | 'name' | 'none', e: Ev): Judged | null {
    const t = this.t;
    if (e.kind === 'call' || e.kind === 'expr') return null;
    if (prefix === 'quote' && p === 1 && t[0]!.w.trim() === '') {
      for (let j = e.end; j < t.length; j++) if (t[j]!.c === 's') return null;
      return { score: 0.6, rule: 'quote-logic', at: p };
    }
    // `xor 7 >`, not `xor encryption` (a search for the cipher)
    if (p === 0 && t[0]!.w === 'xor' && (e.kind === 'lit' || t[e.end]?.c === 'o'))
      return { score: 0.55, rule: 'xor-logic', at: p };
    return null;
  }

  private keywordTail(p: number, prefix: 'quote' | 'num' | 'name' | 'none', depth: number): Judged | null {
    const t = this.t;
    const x = t[p]!;
    const y = t[p + 1];
    const quote = prefix === 'quote';
    const weak = prefix === 'name' || prefix === 'none';
    const r = (score: number, rule: string): Judged => ({ score, rule, at: p });
    switch (x.w) {
      case 'where':
      case 'having': {
        const e = this.expr(p + 1);
        if (e === null) return null;
        if (e.danger || e.sub) return r(0.9, 'where-injection');
        if (e.cmpLitLit) return r(weak ? 0.6 : 0.9, 'where-tautology');
        if (e.cmp) return r(weak ? 0.3 : 0.6, 'where-comparison');
        return null;
      }
      case 'order by':
      case 'group by': {
        if (y === undefined) return null;
        const z = t[p + 2];
        const ends =
          z === undefined ||
          z.c === 'c' ||
          z.c === ',' ||
          z.c === ';' ||
          z.c === '&' ||
          z.c === 'U' ||
          (z.c === 'k' && ['asc', 'desc', 'having', 'limit', 'into', 'procedure'].includes(z.w));
        if (y.c === '1' && ends) return r(weak ? 0.5 : 0.85, 'order-by-number');
        if ((y.c === 'n' || y.c === 'f') && z?.c === 'c') return r(quote ? 0.75 : 0.3, 'order-by-comment');
        // `' group by a having 1=1--`
        if ((y.c === 'n' || y.c === '1') && z?.c === 'k' && z.w === 'having') {
          const h = this.keywordTail(p + 2, prefix, depth + 1);
          if (h !== null) return h;
        }
        if (y.c === 'f' || y.c === '(') {
          const e = this.expr(p + 1);
          if (e !== null && (e.danger || e.sub || (e.sqlFunc && e.cmp)))
            return r(weak ? 0.6 : 0.85, 'order-by-function');
        }
        return null;
      }
      case 'as': {
        // `') as x from`, `1 AS "x" FROM`: a column list closed and aliased, then a FROM of our own
        const z = t[p + 2];
        if ((y?.c === 'n' || y?.c === 's') && z?.c === 'k' && z.w === 'from') {
          const before = t[p - 1]?.c;
          if (quote) return r(0.7, 'alias-from');
          if (prefix === 'num') return r(0.6, 'alias-from');
          if (before === ')') return r(0.5, 'alias-from');
        }
        if (y?.c === 'n') return this.tail(p + 2, prefix, depth + 1);
        return null;
      }
      case 'limit': {
        const z = t[p + 2];
        if (
          y?.c === '1' &&
          (z?.c === 'c' || z?.c === ',' || z?.c === 'U' || z?.w === 'into' || z?.w === 'procedure')
        )
          return r(weak ? 0.4 : 0.75, 'limit-injection');
        return null;
      }
      case 'procedure':
        return y?.c === 'f' && y.w === 'analyse' ? r(0.9, 'procedure-analyse') : null;
      case 'case': {
        // `case when <condition> then …`: the conditional of blind injections; the condition must
        // read as one SQL expression (`case when the user …` is prose)
        if (y?.w !== 'when') return null;
        const e = this.expr(p + 2);
        if (e === null || !this.wellFormed(p + 2, e.end)) return null;
        const th = t[e.end];
        const v = t[e.end + 1];
        if (
          th?.w !== 'then' ||
          v === undefined ||
          !(v.c === 'n' || v.c === '1' || v.c === 's' || v.c === 'f')
        )
          return null;
        return r(weak ? 0.5 : 0.8, 'case-when');
      }
      case 'into':
        return y?.w === 'outfile' || y?.w === 'dumpfile' ? r(0.95, 'into-outfile') : null;
      case 'select': {
        // `select x group by …`: one column, then a clause (still needs FROM or a SQL function below)
        const clause = y?.c === 'n' && t[p + 2]?.c === 'k' && SELECT_CLAUSES.has(t[p + 2]!.w);
        if (!clause && !this.selectList(p + 1)) {
          // `'select x`: a quote closed, then a SELECT cut short (no later string re-opens prose)
          if (quote && y !== undefined && (y.c === 'n' || y.c === '1' || y.w === '*')) {
            for (let j = p + 2; j < t.length; j++) if (t[j]!.c === 's') return null;
            return r(0.5, 'quote-select');
          }
          return null;
        }
        // a SELECT needs FROM or a SQL function / subquery / variable to be one
        let from = false;
        let func = false;
        for (let j = p + 1; j < t.length; j++) {
          const z = t[j]!;
          if (z.c === 'k' && z.w === 'from') from = true;
          else if (z.c === 'f' && (DANGER_FUNCS.has(z.w) || SQL_FUNCS.has(z.w))) func = true;
          else if ((z.c === 'k' && z.w === 'select') || z.c === 'v') func = true;
          // `select 0x61646d696e`: a hex-encoded string, the usual way around quote filters
          else if (z.c === '1' && z.w.startsWith('0x') && z.w.length > 4) func = true;
        }
        if (!from && !func) return r(0.3, 'select-statement');
        if (quote || prefix === 'num') return r(quote ? 0.8 : 0.6, 'inline-select');
        return r(0.6, 'select-statement');
      }
      default:
        if (this.statement(p)) {
          if (quote || prefix === 'num') return r(quote ? 0.85 : 0.75, 'statement');
          // a whole statement closed by `;` or a trailing comment: `DELETE FROM users;--`
          const last = t[t.length - 1]!;
          if (last.c === 'c' || last.c === ';') return r(0.7, 'statement');
          // T-SQL only: `declare @x`, `exec(@q)`, `exec @q` — no prose or other language reads so
          const tsql =
            ((x.w === 'declare' || x.w === 'set') && y?.c === 'v') ||
            ((x.w === 'exec' || x.w === 'execute') &&
              (y?.c === 'v' || y?.w === 'immediate' || (y?.c === '(' && t[p + 2]?.c === 'v')));
          return r(tsql || this.fullDdl(p) || this.execSystem(p) ? 0.6 : 0.4, 'statement');
        }
        return null;
    }
  }

  /** `alter table x add …`, `create table x (…`: a DDL statement with its clause, not `create table` prose. */
  private fullDdl(p: number): boolean {
    const t = this.t;
    const x = t[p]!;
    const obj = t[p + 1];
    const name = t[p + 2];
    const z = t[p + 3];
    if (obj?.w !== 'table' || name === undefined || (name.c !== 'n' && name.c !== 'f')) return false;
    if (x.w === 'alter') return z !== undefined && ALTER_ACTIONS.has(z.w);
    if (x.w === 'create') return name.c === 'f' || z?.c === '(';
    return false;
  }

  /** `exec master..xp_…`, `exec msdb.dbo.sp_…`: a procedure of a server's system database. */
  private execSystem(p: number): boolean {
    const t = this.t;
    const x = t[p]!;
    const y = t[p + 1];
    if ((x.w !== 'exec' && x.w !== 'execute') || y?.c !== 'n') return false;
    // `exec master.` cut short lexes as the name, then the dot
    const w = t[p + 2]?.w === '.' ? `${y.w}.` : y.w;
    for (const q of SYSTEM_DB_QUALIFIERS) if (w.startsWith(q)) return true;
    return false;
  }

  /**
   * Shapes judged wherever they occur in the stream (not only at the breakout point).
   * Returns the strongest one.
   */
  anywhere(): Judged | null {
    const t = this.t;
    let best: Judged | null = null;
    const take = (score: number, rule: string, at: number) => {
      if (best === null || score > best.score) best = { score, rule, at };
    };
    let wrapSeen = false;
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      const y = t[i + 1];
      switch (x.c) {
        case 'U':
          if (y?.c === 'k' && y.w === 'select' && this.selectList(i + 2)) take(0.9, 'union-select', i);
          else if (y?.c === '(' && t[i + 2]?.w === 'select' && this.selectList(i + 3))
            take(0.9, 'union-select', i);
          else if (y?.c === 'k' && y.w === 'select') take(0.4, 'union-select-fragment', i);
          break;
        case ';':
          if (this.statement(i + 1)) take(0.85, 'stacked-query', i);
          break;
        case 'f':
          if (WRAP_FUNCS.has(x.w)) wrapSeen = true;
          if (INFO_FUNCS.has(x.w) && t[i + 2]?.c === ')') {
            // `concat(0x7e,version())`, `hex(user())`: a server fact read into a string builder
            const prev = t[i - 1];
            const inWrap =
              prev !== undefined &&
              ((prev.c === '(' && t[i - 2]?.c === 'f' && WRAP_FUNCS.has(t[i - 2]!.w)) ||
                (prev.c === ',' && wrapSeen));
            if (inWrap) take(0.6, 'information-function', i);
          }
          if (DANGER_FUNCS.has(x.w)) {
            const prev = t[i - 1];
            const arg = t[i + 2];
            const sqlArg =
              arg !== undefined &&
              (arg.c === '1' ||
                arg.c === 's' ||
                arg.c === 'f' ||
                arg.c === '(' ||
                arg.c === 'k' ||
                arg.c === 'v');
            const sqlPrev =
              prev === undefined ||
              prev.c === '&' ||
              prev.c === 'o' ||
              prev.c === ',' ||
              prev.c === '(' ||
              prev.c === ';' ||
              (prev.c === 'k' &&
                ['select', 'then', 'else', 'where', 'begin', 'by', 'exec', 'execute'].includes(prev.w));
            // at the very start the call must be well formed: `sleep(5)`, `benchmark(9999,md5(1))`
            const closes = t[i + 3]?.c === ')' || t[i + 3]?.c === ',' || arg?.c === 'f' || arg?.c === '(';
            // `if exists(select …) benchmark(…)`: a call right after a closed condition
            const afterCall = prev?.c === ')' && closes;
            if (sqlArg && (sqlPrev || afterCall) && (prev !== undefined || closes))
              take(prev === undefined ? 0.8 : 0.85, 'dangerous-function', i);
            else if (sqlArg) take(0.4, 'dangerous-function', i);
            else if (prev === undefined && OOB_NAMES.has(x.w)) take(0.5, 'dangerous-function-name', i);
          } else if (x.w !== 'if' && y?.c === '(') {
            // PostgreSQL error-based cast: `f(…)::int`
            const j = this.matchParen(i + 1);
            if (t[j + 1]?.w === '::' && INT_TYPES.has(t[j + 2]?.w ?? '')) take(0.6, 'cast-error', i);
          }
          break;
        case 'n':
          if (OOB_NAMES.has(x.w)) {
            const prev = t[i - 1];
            if (prev !== undefined && prev.c === 'k' && (prev.w === 'exec' || prev.w === 'execute'))
              take(0.9, 'exec-procedure', i);
            else if (prev !== undefined && prev.c === 'k' && prev.w === 'select')
              take(0.6, 'select-procedure', i);
            // `benchmark` is also an English word (`benchmark global models`): as a name it needs SQL around it
            else if (x.w === 'benchmark') take(0.2, 'procedure-name', i);
            else take(prev === undefined && t.length <= 3 ? 0.55 : 0.45, 'procedure-name', i);
          } else if (i === 0 && t.length === 1 && isSpecificSystemTable(x.w)) take(0.5, 'system-table', i);
          // `unionselect`, `1unionallselect`: the keywords glued by a filter that strips spaces or comments
          else if (x.w.includes('unionselect') || x.w.includes('unionallselect'))
            take(0.55, 'glued-union-select', i);
          break;
        case 'o':
          if (x.w === '::' && y !== undefined && INT_TYPES.has(y.w)) {
            // `current_user::int`, `(select …)::int`: a PostgreSQL cast that fails with the data in
            // the error message
            const prev = t[i - 1];
            if (prev?.c === 'n' && BARE_INFO.has(prev.w)) take(0.7, 'cast-error', i);
            else if (prev?.c === ')' && i >= 2) {
              let fn = false;
              // a call (any word before `(`) or a subquery was cast
              for (let k = 0; k < i; k++) {
                const z = t[k]!;
                if (z.c === 'f' || (z.c === 'k' && (z.w === 'select' || t[k + 1]?.c === '('))) fn = true;
              }
              if (fn) take(0.6, 'cast-error', i);
            } else if (prev?.c === 'n' && i === 1 && (t[i + 2] === undefined || t[i + 2]!.c === 'c'))
              // `password::int` as the whole value (not a `name :: Integer -> …` type signature)
              take(0.5, 'cast-error', i);
          } else if (
            x.w === '::' &&
            (y?.w === 'json' || y?.w === 'jsonb') &&
            t[i - 1]?.c === 's' &&
            (t[i + 2]?.c === 'o' || t[i + 2]?.c === '&')
          ) {
            // `'[1,2]'::jsonb || '3'`, `'{…}'::jsonb - 1`: a JSON literal cast, then worked on
            take(0.55, 'json-operator', i);
          } else if (JSON_OPS.has(x.w) && i >= 1) {
            // `'{"a":1}'::jsonb @> '{"a":1}'`: JSON literals compared by PostgreSQL JSON operators
            const l = t[i - 1]!;
            const jsonLeft =
              l.c === 's' || (l.c === 'n' && (l.w === 'json' || l.w === 'jsonb') && t[i - 2]?.w === '::');
            if (jsonLeft && (y?.c === 's' || y?.c === '1')) take(0.55, 'json-operator', i);
          }
          break;
        case 'k':
          if (x.w === 'waitfor' && (y?.w === 'delay' || y?.w === 'time') && t[i + 2]?.c === 's')
            take(0.9, 'waitfor-delay', i);
          else if (x.w === 'into' && (y?.w === 'outfile' || y?.w === 'dumpfile') && t[i + 2]?.c === 's')
            take(0.9, 'into-outfile', i);
          else if (x.w === 'from' && y !== undefined) {
            // `from information_schema.tables`, `from(select count(*),concat(…))x`: catalogue reads
            // and error-based derived tables
            if ((y.c === 'n' || y.c === 'f') && isSpecificSystemTable(y.w)) take(0.7, 'system-table-read', i);
            else if (y.c === '(' && t[i + 2]?.w === 'select') {
              const j = this.matchParen(i + 1);
              let fn = false;
              for (let k = i + 3; k < j; k++) {
                const z = t[k]!;
                if (z.c === 'f' && (SQL_FUNCS.has(z.w) || DANGER_FUNCS.has(z.w))) fn = true;
                if ((z.c === 'n' || z.c === 'f') && isSpecificSystemTable(z.w)) fn = true;
              }
              if (fn && this.selectList(i + 3)) take(0.7, 'derived-table-subquery', i);
            }
          }
          break;
        case '&': {
          const e = this.expr(i + 1);
          if (e?.cmpLitLit) {
            const a = t[i + 1]!;
            const b = t[i + 3];
            // the same literal on both sides of `=` is a tautology (or 1=1, and 'a'='a')
            const same = b !== undefined && t[i + 2]?.w === '=' && a.w === b.w && a.c === b.c;
            take(same ? 0.7 : 0.45, 'logic-tautology', i);
          } else if (e?.danger) take(0.8, 'logic-dangerous-function', i);
          break;
        }
        default:
          break;
      }
    }
    return best;
  }
}
