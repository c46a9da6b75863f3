// Node.js and Python code in a value: loading the process-spawning modules
// (`require('child_process')`, `process.mainModule`, `__import__('os')`), calling them
// (`os.system(…)`, `subprocess.Popen(…)`), reaching the Function constructor
// (`constructor.constructor(…)`) and walking Python's object graph to the builtins
// (`().__class__.__bases__[0].__subclasses__()`). `s` is lower-cased.
import { isIdent, isQuote, type Report, skipGap, skipSpace } from './lex.js';

export const NODE_MODULES = new Map<string, number>([
  ['child_process', 0.9],
  ['vm', 0.7],
]);
export const PYTHON_CALLS: readonly [string, number][] = [
  ['os.system(', 0.85],
  ['os.popen(', 0.85],
  ['os.exec', 0.6],
  ['os.spawn', 0.6],
  ['subprocess.popen(', 0.85],
  ['subprocess.call(', 0.85],
  ['subprocess.run(', 0.85],
  ['subprocess.check_output(', 0.85],
  ['subprocess.check_call(', 0.85],
  ['subprocess.getoutput(', 0.85],
  ['subprocess.getstatusoutput(', 0.85],
  ['pty.spawn(', 0.85],
  ['pickle.loads(', 0.7],
  ['marshal.loads(', 0.7],
];
export const DUNDERS = [
  '__class__',
  '__mro__',
  '__bases__',
  '__base__',
  '__subclasses__',
  '__globals__',
  '__builtins__',
];

export const NODE_NEEDLES = [
  ['process.mainmodule', 0.9, 'process.mainModule'],
  ['process.binding(', 0.85, 'process.binding()'],
  ['constructor.constructor(', 0.8, 'Function constructor reached via constructor.constructor'],
  ['child_process', 0.6, 'child_process module'],
  // the main module's loader: `require.main.constructor._load('child_process')`
  ['require.main', 0.7, 'require.main (module loader of the main module)'],
  ['constructor._load(', 0.85, 'Module._load() reached through a constructor'],
  ['module._load(', 0.85, 'Module._load()'],
  ['process.dlopen(', 0.85, 'process.dlopen() (native module loading)'],
  // child_process functions whose names say what they do, called without the module in sight
  ['execsync(', 0.75, 'child_process execSync()'],
  ['spawnsync(', 0.75, 'child_process spawnSync()'],
  ['execfilesync(', 0.75, 'child_process execFileSync()'],
] as const;

function node(s: string, report: Report): void {
  let i = s.indexOf('require');
  for (let n = 0; i >= 0 && n < 64; n++) {
    if (i === 0 || !isIdent(s.charCodeAt(i - 1))) {
      const p = skipGap(s, i + 7);
      if (p >= 0 && s.charCodeAt(p) === 40) {
        const a = skipSpace(s, p + 1);
        if (isQuote(s.charCodeAt(a))) {
          let name = '';
          for (let k = a + 1; k < s.length && k - a < 24 && !isQuote(s.charCodeAt(k)); k++) name += s[k];
          const strength = NODE_MODULES.get(name.startsWith('node:') ? name.slice(5) : name);
          if (strength !== undefined) report(strength, i, `require('${name}')`);
        }
      }
    }
    i = s.indexOf('require', i + 7);
  }
  for (const [needle, strength, why] of NODE_NEEDLES) {
    const at = s.indexOf(needle);
    if (at >= 0) report(strength, at, why);
  }
}

function python(s: string, report: Report): void {
  const imp = s.indexOf('__import__');
  if (imp >= 0) {
    const p = skipSpace(s, imp + 10);
    if (s.charCodeAt(p) === 40) report(0.9, imp, '__import__()');
  }
  for (const [needle, strength] of PYTHON_CALLS) {
    const at = s.indexOf(needle);
    if (at >= 0 && (at === 0 || !isIdent(s.charCodeAt(at - 1))))
      report(strength, at, needle.replace('(', '()'));
  }
  let found = 0;
  let first = -1;
  for (const d of DUNDERS) {
    const at = s.indexOf(d);
    if (at < 0) continue;
    found++;
    if (first < 0 || at < first) first = at;
  }
  if (found >= 2) report(0.85, first, 'Python object-graph traversal (__class__/__subclasses__…)');
}

export function scanScript(s: string, report: Report): void {
  node(s, report);
  if (
    s.includes('__') ||
    s.includes('os.') ||
    s.includes('subprocess') ||
    s.includes('.loads(') ||
    s.includes('pty.')
  )
    python(s, report);
}
