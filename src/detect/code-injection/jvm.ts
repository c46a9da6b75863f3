// Java and JVM expression languages in a value: qualified names of JDK classes that run commands,
// load classes or deserialize (`java.lang.Runtime`, `javax.script.ScriptEngineManager`), known
// deserialization gadget classes, reflection chains (`getClass().forName(…)`), SpEL type
// references (`T(java.lang.Runtime)`), OGNL (`#_memberAccess`, `@java.lang.Runtime@getRuntime()`,
// `#context[…]`), Groovy `"cmd".execute()`, and class-loader manipulation through data binding
// (Spring4Shell `class.module.classLoader…`). `raw` keeps the case (class names are capitalised),
// `s` is lower-cased.
import {
  atWordStart,
  identEnd,
  isIdent,
  isIdentStart,
  isQuote,
  isSpace,
  type Report,
  readQualified,
  skipSpace,
} from './lex.js';

const MAX_CANDIDATES = 256;

/** Classes that start processes, evaluate scripts, load code or resolve JNDI names. */
const EXEC_CLASSES = new Set([
  'runtime',
  'processbuilder',
  'processimpl',
  'unixprocess',
  'scriptenginemanager',
  'classloader',
  'urlclassloader',
  'xmldecoder',
  'objectinputstream',
  'initialcontext',
  'groovyshell',
  'elprocessor',
  'ognlcontext',
  'methodutils',
]);
/** Constructed with `new` (or SpEL/Groovy call syntax) only to run code. */
export const EXEC_CONSTRUCTORS = new Set([
  'processbuilder',
  'scriptenginemanager',
  'urlclassloader',
  'xmldecoder',
  'objectinputstream',
  'initialcontext',
  'groovyshell',
  'elprocessor',
  'filesystemxmlapplicationcontext',
  'classpathxmlapplicationcontext',
]);
/**
 * Deserialization gadget classes (commons-collections transformers, closures and factories,
 * JDK internals, Spring contexts that load bean XML from a URL). They have no business in a
 * request value under any name.
 */
export const GADGETS = new Set([
  'invokertransformer',
  'instantiatetransformer',
  'chainedtransformer',
  'constanttransformer',
  'clonetransformer',
  'forclosure',
  'whileclosure',
  'instantiatefactory',
  'prototypeclonefactory',
  'prototypeserializationfactory',
  'templatesimpl',
  'jdbcrowsetimpl',
  'badattributevalueexpexception',
  'annotationinvocationhandler',
  'filesystemxmlapplicationcontext',
  'classpathxmlapplicationcontext',
  'objectdataprovider',
]);
/** Packages that hold reflection, scripting, naming, RMI and JDK internals. */
export const SENSITIVE_PACKAGES = [
  'java.lang.reflect',
  'java.lang.invoke',
  'java.rmi',
  'java.beans',
  'javax.script',
  'javax.naming',
  'javax.management',
  'javax.el',
  'sun.misc',
  'sun.reflect',
  'com.sun.jndi',
  'com.sun.rowset',
  'com.sun.org.apache',
  'org.apache.commons.collections',
  'org.apache.commons.beanutils',
  'org.apache.xalan',
  'com.opensymphony.xwork2',
  'ognl',
  'org.omg.corba',
  'org.codehaus.groovy.runtime',
  'groovy.lang',
  'system.diagnostics.process',
  'system.management.automation',
  'system.windows.data',
];
/** Roots of class names a request has no reason to carry. */
export const JVM_ROOTS = new Set(['java', 'javax', 'jdk', 'sun']);
/** Calls of the reflection API: two of them chained reach any method. */
export const REFLECTION = [
  '.getclass(',
  '.forname(',
  '.getmethod(',
  '.getdeclaredmethod(',
  '.getdeclaredfield(',
  '.getdeclaredconstructor(',
  '.newinstance(',
  '.invoke(',
  '.getclassloader(',
  '.loadclass(',
  '.defineclass(',
  '.setaccessible(',
];

function isJvmRoot(lower: string[]): boolean {
  return JVM_ROOTS.has(lower[0]) || (lower[0] === 'com' && lower[1] === 'sun');
}

function judgeQualified(segments: string[], at: number, trace: boolean, report: Report): void {
  const lower = segments.map((x) => x.toLowerCase());
  const dotted = lower.join('.');
  for (let k = 0; k < lower.length; k++) {
    if (GADGETS.has(lower[k])) {
      report(0.85, at, `deserialization gadget class ${segments[k]}`);
      return;
    }
    // data binding reaching the class loader: `class.module.classLoader…` (Spring4Shell, Struts)
    if (
      lower[k] === 'class' &&
      k + 1 < lower.length &&
      (lower[k + 1] === 'module' || lower[k + 1] === 'classloader' || lower[k + 1] === 'protectiondomain')
    ) {
      report(0.9, at, 'class loader reached through a bound property (class.module.classLoader)');
      return;
    }
  }
  const pkg = SENSITIVE_PACKAGES.find((p) => dotted === p || dotted.startsWith(`${p}.`));
  const jvm = isJvmRoot(lower);
  if (jvm || pkg !== undefined) {
    const exec = lower.find((x, k) => k > 0 && EXEC_CLASSES.has(x));
    if (exec !== undefined) {
      report(0.9, at, `Java class ${segments.join('.')}`);
      return;
    }
  }
  // a stack trace names reflection frames and exception classes: only exec classes count there
  if (trace) return;
  if (pkg !== undefined) {
    report(0.75, at, `sensitive package ${pkg}`);
    return;
  }
  // any JDK class name: the carrier of polymorphic deserialization (`@type`, `@class`, `!!`)
  if (jvm && segments.some((x, k) => k > 0 && x.charCodeAt(0) >= 65 && x.charCodeAt(0) <= 90)) {
    report(0.5, at, `Java class name ${segments.join('.')}`);
    return;
  }
  if (lower[0] === 'org' && lower[1] === 'apache' && lower[2] === 'commons') {
    report(0.5, at, 'Apache Commons package name');
  }
}

/** A Java stack trace (crash reports carry them): frames end in `(File.java:12)` or similar. */
function isStackTrace(s: string): boolean {
  return s.includes('.java:') || s.includes('(unknown source)') || s.includes('(native method)');
}

/** Lengths of the single names looked up, so that other words cost no allocation. */
const NAME_LENGTHS = new Set([...EXEC_CONSTRUCTORS, ...GADGETS].map((n) => n.length));

/** Dotted names, constructor calls of exec classes, `T(…)` and `@…@` static references. */
function names(raw: string, s: string, report: Report): void {
  const trace = isStackTrace(s);
  let chains = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (!isIdentStart(c) || !atWordStart(raw, i)) continue;
    const e = identEnd(raw, i);
    const first = NAME_LENGTHS.has(e - i) ? raw.slice(i, e).toLowerCase() : '';
    // a long run of dotted names says what the first ones say: bounded work per value
    if (
      raw.charCodeAt(e) === 46 /* . */ &&
      isIdentStart(raw.charCodeAt(e + 1)) &&
      chains++ < MAX_CANDIDATES * 2
    ) {
      const q = readQualified(raw, i);
      if (q.segments.length >= 2) {
        judgeQualified(q.segments, i, trace, report);
        const last = q.segments[q.segments.length - 1].toLowerCase();
        const p = skipSpace(raw, q.end);
        if (raw.charCodeAt(p) === 40 && EXEC_CONSTRUCTORS.has(last)) {
          report(0.9, i, `instantiation of ${q.segments[q.segments.length - 1]}`);
        }
        i = q.end - 1;
        continue;
      }
    }
    if (EXEC_CONSTRUCTORS.has(first)) {
      const p = skipSpace(raw, e);
      if (raw.charCodeAt(p) === 40) report(0.85, i, `instantiation of ${raw.slice(i, e)}`);
    } else if (GADGETS.has(first)) report(0.8, i, `deserialization gadget class ${raw.slice(i, e)}`);
    else if (
      (c === 84 || c === 116) &&
      e - i === 1 &&
      raw.charCodeAt(e) === 40 &&
      chains++ < MAX_CANDIDATES * 2
    )
      spelType(raw, e, i, report);
    i = e - 1;
  }
}

/** SpEL `T(java.lang.Runtime)`: a type reference to a qualified class. */
function spelType(raw: string, paren: number, at: number, report: Report): void {
  const a = skipSpace(raw, paren + 1);
  const q = readQualified(raw, a);
  if (q.segments.length < 2) return;
  const b = skipSpace(raw, q.end);
  if (raw.charCodeAt(b) !== 41) return;
  const lower = q.segments.map((x) => x.toLowerCase());
  const strong = isJvmRoot(lower) || lower.some((x) => EXEC_CLASSES.has(x));
  report(strong ? 0.9 : 0.7, at, `SpEL type reference T(${q.segments.join('.')})`);
}

/** OGNL: `#_memberAccess`, `#context[…]`, `@class@member`, `%{(#x=…)}`. */
function ognl(raw: string, s: string, report: Report): void {
  const member = s.indexOf('#_memberaccess');
  if (member >= 0) report(0.95, member, 'OGNL #_memberAccess');
  for (const needle of ['#context[', '#context.get(', '#context.put(']) {
    const at = s.indexOf(needle);
    if (at >= 0) report(0.85, at, 'OGNL #context access');
  }
  let i = raw.indexOf('@');
  for (let n = 0; i >= 0 && n < MAX_CANDIDATES; n++) {
    const q = readQualified(raw, i + 1);
    if (q.segments.length >= 2 && raw.charCodeAt(q.end) === 64 && isIdentStart(raw.charCodeAt(q.end + 1))) {
      const last = q.segments[q.segments.length - 1];
      const lower = q.segments.map((x) => x.toLowerCase());
      if (isJvmRoot(lower) || lower[0] === 'ognl' || (last.charCodeAt(0) >= 65 && last.charCodeAt(0) <= 90)) {
        report(0.9, i, `OGNL static member @${q.segments.join('.')}@`);
      }
    }
    i = raw.indexOf('@', Math.max(i + 1, q.end));
  }
  let j = s.indexOf('(#');
  for (let n = 0; j >= 0 && n < MAX_CANDIDATES; n++) {
    const e = identEnd(s, j + 2);
    if (e > j + 2 && s.charCodeAt(skipSpace(s, e)) === 61 && s.charCodeAt(skipSpace(s, e) + 1) !== 61) {
      report(0.7, j, 'OGNL variable assignment (#x=…)');
      break;
    }
    j = s.indexOf('(#', j + 2);
  }
}

/** Reflection chains, `Runtime.getRuntime()`, Groovy `"cmd".execute()`, `class['classLoader']`. */
function calls(s: string, report: Report): void {
  const runtime = s.indexOf('getruntime(');
  if (runtime >= 0) {
    const exec = s.indexOf('.exec(', runtime);
    report(exec >= 0 && exec - runtime < 64 ? 0.95 : 0.9, runtime, 'Runtime.getRuntime()');
  }
  let seen = 0;
  let first = -1;
  let strong = false;
  for (const needle of REFLECTION) {
    const at = s.indexOf(needle);
    if (at < 0) continue;
    seen++;
    if (first < 0 || at < first) first = at;
    if (needle === '.forname(' || needle === '.defineclass(' || needle === '.loadclass(') strong = true;
  }
  if (seen >= 2) report(0.85, first, 'Java reflection chain');
  else if (strong) report(0.6, first, 'Java reflective class loading');
  let x = s.indexOf('.execute(');
  for (let n = 0; x >= 0 && n < MAX_CANDIDATES; n++) {
    let j = x - 1;
    while (j >= 0 && x - j < 16 && isSpace(s.charCodeAt(j))) j--;
    const c = s.charCodeAt(j);
    if (isQuote(c) || c === 93 /* ] */) {
      report(0.85, x, 'Groovy command execution "…".execute()');
      break;
    }
    x = s.indexOf('.execute(', x + 9);
  }
  let k = s.indexOf('class[');
  for (let n = 0; k >= 0 && n < MAX_CANDIDATES; n++) {
    if (k === 0 || !isIdent(s.charCodeAt(k - 1))) {
      const a = skipSpace(s, k + 6);
      const b = isQuote(s.charCodeAt(a)) ? a + 1 : a;
      if (
        s.startsWith('classloader', b) ||
        s.startsWith('module', b) ||
        s.startsWith('protectiondomain', b)
      ) {
        report(0.9, k, "class loader reached through a bound property (class['classLoader'])");
        break;
      }
    }
    k = s.indexOf('class[', k + 6);
  }
}

export function scanJvm(raw: string, s: string, report: Report): void {
  // a gadget class named alone (a polymorphic type field, a decoded base64 word) needs no `.`
  if (raw.includes('.') || raw.includes('(') || GADGETS.has(s.trim())) names(raw, s, report);
  if (s.includes('#') || s.includes('@')) ognl(raw, s, report);
  if (s.includes('(') || s.includes('[')) calls(s, report);
}
