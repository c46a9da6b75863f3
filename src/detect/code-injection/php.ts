// PHP code in a value: open tags with code after them, calls of functions that run commands or
// decode payloads (comments and whitespace allowed before the `(`, as PHP allows), variable
// functions (`$f(…)`, `$_GET[a]($_GET[b])`, `${…}`), names assembled from strings
// (`'sys'.'tem'`, `(sy.(st).em)(…)`, `chr(115).chr(121)…`), stream wrappers (`php://filter`,
// `phar://`, `expect://`), superglobals and ini directives set from a request (`-d
// allow_url_include=1`). `s` is the lower-cased value.
// Split by concern: php-tags.ts (tags, wrappers, ini), php-calls.ts, php-variables.ts.
import type { Report } from './lex.js';
import { calls, computedNames } from './php-calls.js';
import { iniDirectives, openTags, wrappers } from './php-tags.js';
import { variables } from './php-variables.js';

export { PHP_FUNCTIONS, PHP_PREFIXES, WORD_FUNCTIONS } from './php-calls.js';
export { INI_DIRECTIVES, WRAPPERS } from './php-tags.js';

export function scanPhp(raw: string, s: string, report: Report): void {
  if (s.includes('<?') || s.includes('php]') || s.includes('php}')) openTags(s, report);
  if (s.includes('(')) {
    calls(s, report);
    computedNames(s, report);
  } else if (s.includes('include') || s.includes('require')) calls(s, report);
  if (s.includes('$')) variables(s, report);
  if (s.includes('://')) wrappers(raw, s, report);
  if (s.includes('=')) iniDirectives(s, report);
}
