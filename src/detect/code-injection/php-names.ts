// PHP built-in functions that are not dangerous by themselves but name PHP and nothing else: a call
// of one in a request value is a probe of a PHP code path (fingerprinting, a first step before a
// real payload) rather than an attack on its own, so they count only from paranoia 2.
// - PHP_NAMESPACES: the prefixes PHP's extensions put before every function they define
//   (`array_diff`, `ldap_search`, `sodium_…`, `mb_…`). Prefixes other languages use in their own
//   snake_case names (`hash_`, `session_`, `stream_`, `xml_`, `get_`, `is_`, `file_`, `func_`) and
//   SQL shares (`pg_sleep`, `date_add`, `str_to_date`; PostgreSQL's `array_agg` and kin) are left
//   out.
// - PHP_CORE_NAMES: unprefixed built-ins that read, write or link files, unpack data or resolve
//   hosts, with names no English text writes before a `(`.
// - PHP_WORD_NAMES: built-ins that are English words (`file`, `glob`): only as `()` or with a
//   variable or quoted argument, never before a parenthesised remark.
// The prefilter looks anchors up by their first three letters, and every hit in ordinary text
// costs time on every value: names that start like common English words (`serialize`, `print_r`,
// `intval`, `checkdate`) are gated by a rarer tail instead (GATE_TAILS), and English words with
// no rarer tail (`mail`, `link`, `copy`) are left out.

export const PHP_NAMESPACES = [
  'array_',
  'ldap_',
  'odbc_',
  'sodium_',
  'tidy_',
  'zend_',
  'mysqli_',
  'mysql_',
  'mb_',
  'iconv_',
  'openssl_',
  'libxml_',
  'ctype_',
  'apcu_',
  'opcache_',
  'spl_',
  'preg_',
  'ob_',
  'ini_',
  'php_',
  'mcrypt_',
  'gmp_',
  'oci_',
  'dba_',
  'ibase_',
  'xmlrpc_',
  'gethostby',
];

/**
 * Extensions whose ini directives are written `<extension>.<directive>` (`opcache.jit=…`,
 * `mbstring.regex_retry_limit=…`): one set from a request is a PHP-CGI `-d` or `ini_set` probe.
 * Paranoia 2: a few (`date.timezone`, `session.gc_maxlifetime`) are also settings an admin API
 * may take as text.
 */
export const INI_NAMESPACES = [
  'opcache.',
  'mbstring.',
  'zend.',
  'pcre.',
  'mysqli.',
  'pdo_mysql.',
  'xdebug.',
  'apc.',
  'assert.',
  'phar.',
  'soap.',
  'zlib.',
  'iconv.',
  'date.',
  'mysqlnd.',
  'xmlrpc.',
  'suhosin.',
];

export const PHP_CORE_NAMES = new Set([
  'substr',
  'unpack',
  'filegroup',
  'fileowner',
  'fileperms',
  'fileinode',
  'filetype',
  'readfile',
  'fpassthru',
  'fputs',
  'fwrite',
  'fopen',
  'tempnam',
  'tmpfile',
  'opendir',
  'readdir',
  'symlink',
  'readlink',
  'chroot',
  'chmod',
  'chgrp',
  'lchown',
  'unlink',
  'rmdir',
  'getenv',
  'var_dump',
  'var_export',
  'parse_str',
  'highlight_string',
  'error_reporting',
  'set_time_limit',
  'ignore_user_abort',
  'serialize',
  'checkdate',
  'print_r',
  'intval',
  // conversions and string helpers only PHP names so
  'floatval',
  'strval',
  'boolval',
  'settype',
  'gettype',
  'strip_tags',
  'addslashes',
  'stripslashes',
  'nl2br',
  'htmlentities',
  'htmlspecialchars',
  'html_entity_decode',
  'md5_file',
  'sha1_file',
  'in_array',
  'uniqid',
  'mt_rand',
  'ucfirst',
  'ucwords',
  'lcfirst',
  'stripos',
  'strripos',
  'stristr',
  'str_replace',
  'str_ireplace',
  'str_repeat',
  'str_pad',
  'str_split',
  'str_word_count',
  'str_shuffle',
]);

/** PostgreSQL's array functions: SQL, not PHP (`array_agg(…)`). */
const SQL_ARRAY = new Set([
  'array_agg',
  'array_append',
  'array_cat',
  'array_dims',
  'array_fill',
  'array_length',
  'array_lower',
  'array_ndims',
  'array_position',
  'array_positions',
  'array_prepend',
  'array_remove',
  'array_replace',
  'array_to_string',
  'array_to_json',
  'array_upper',
]);

/** The prefilter's anchor for a name that starts like English: a tail that ends the name. */
export const GATE_TAILS = new Map([
  ['serialize', 'lize'],
  ['checkdate', 'kdate'],
  ['print_r', 'nt_r'],
  ['intval', 'tval'],
  ['floatval', 'atval'],
  ['readfile', 'dfile'],
  ['readdir', 'ddir'],
  ['readlink', 'dlink'],
  ['parse_str', 'se_str'],
  ['sha1_file', '1_file'],
  ['ignore_user_abort', 'e_user_abort'],
  ['set_time_limit', '_time_limit'],
  ['uniqid', 'iqid'],
  ['addslashes', 'dslashes'],
  ['htmlspecialchars', 'lspecialchars'],
  ['htmlentities', 'lentities'],
  ['html_entity_decode', 'l_entity_decode'],
  ['var_dump', 'r_dump'],
  ['var_export', 'r_export'],
  ['settype', 'ttype'],
  ['boolval', 'olval'],
  // `fopen` hashes to the same prefilter slot as `ize` (size, organize): gated with `open…`
  ['fopen', 'open'],
  // `str…`: `string`, `strong`, `construct` hit the prefilter's slot for `str`
  ['strval', 'rval'],
  ['stripos', 'ipos'],
  ['strip_tags', 'p_tags'],
  ['stripslashes', 'pslashes'],
  ['str_replace', '_replace'],
  ['str_ireplace', '_ireplace'],
  ['str_repeat', '_repeat'],
  ['str_pad', '_pad'],
  ['str_split', '_split'],
  ['str_word_count', '_word_count'],
  ['str_shuffle', '_shuffle'],
]);

export const PHP_WORD_NAMES = new Set(['file', 'glob']);

const NAMESPACE_SET = new Set(PHP_NAMESPACES);

/** The PHP-only name `name` (lower case, 3 to 32 characters) of a PL2 call, by kind. */
export function phpOnlyName(name: string): 'core' | 'word' | undefined {
  if (PHP_CORE_NAMES.has(name)) return 'core';
  if (PHP_WORD_NAMES.has(name)) return 'word';
  // the prefix and at least two more letters: `array_x(` is not enough
  const u = name.indexOf('_');
  if (u > 0 && name.length >= u + 3 && NAMESPACE_SET.has(name.slice(0, u + 1)) && !SQL_ARRAY.has(name))
    return 'core';
  return name.length >= 11 && name.startsWith('gethostby') ? 'core' : undefined;
}
