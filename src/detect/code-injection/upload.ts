// Uploads named as server scripts: a file the web server hands to an interpreter (`shell.php`,
// `a.jspx..`, `x.php.jpg` under AddHandler), or that reconfigures it (`.htaccess`), or a PHP
// session file. Judged only for values in file-name locations.

/** Extensions a web server hands to an interpreter. */
export const SCRIPT_EXTENSIONS = new Set([
  'php',
  'php3',
  'php4',
  'php5',
  'php6',
  'php7',
  'php8',
  'phtml',
  'pht',
  'phar',
  'phps',
  'phpt',
  'pgif',
  'jsp',
  'jspx',
  'jsw',
  'jsv',
  'jspf',
  'asp',
  'aspx',
  'asa',
  'ashx',
  'asmx',
  'shtml',
  'cfm',
]);
/** Files that reconfigure the interpreter for their directory. */
export const CONFIG_FILES = new Set(['.htaccess', '.user.ini', 'web.config']);

export interface Hit {
  score: number;
  at: number;
  why: string;
}

/** Last path segment of a file name, with trailing dots and spaces removed (Windows drops them). */
function baseName(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === 46 || value.charCodeAt(end - 1) === 32)) end--;
  const v = value.slice(0, end);
  const slash = Math.max(v.lastIndexOf('/'), v.lastIndexOf('\\'));
  return v.slice(slash + 1).toLowerCase();
}

/** A file name that makes an upload executable: `shell.php`, `x.jspx..`, `.htaccess`, `sess_…`. */
export function uploadName(value: string): Hit | undefined {
  if (value.length > 512) return undefined;
  const name = baseName(value);
  if (CONFIG_FILES.has(name)) return { score: 0.85, at: 0, why: `upload of server configuration ${name}` };
  const parts = name.split('.');
  const ext = parts[parts.length - 1].trim();
  // `.php5`, `.php907`: PHP handlers commonly match `php` followed by any digits
  if (parts.length >= 2 && (SCRIPT_EXTENSIONS.has(ext) || /^php\d+$/.test(ext))) {
    return { score: 0.85, at: 0, why: `upload of a server script (.${ext})` };
  }
  // `shell.php.jpg`: Apache with AddHandler runs any name containing `.php`
  if (parts.slice(1, -1).some((p) => p.trim().startsWith('php') || p.trim() === 'phar')) {
    return { score: 0.4, at: 0, why: 'upload with a PHP inner extension' };
  }
  // a PHP session file: uploaded under that name it poisons a session the attacker then loads
  if (/^sess_[a-z0-9,-]{20,}$/.test(name))
    return { score: 0.7, at: 0, why: 'upload named as a PHP session file' };
  return undefined;
}

/**
 * Strength of a script name in an ordinary field named like a file name (`{"fileName": "x.php"}`,
 * a form field): paranoia 2. Such a name is metadata the application decides how to use:
 * presigned-upload APIs send it before the bytes go to object storage, which executes nothing,
 * and file managers and code hosts store `index.php` as a matter of course.
 */
export const FIELD_NAME = 0.4;

/**
 * Where a value names a file: `upload` for the name a multipart part declares (the extractor's
 * `body.<field>.filename`) and for `X-Filename`-like headers, the names an upload handler writes
 * to disk as they come (the classic web-shell upload); `field` for any other location named like
 * a file name; undefined elsewhere.
 */
export function fileNameLocation(location: string): 'upload' | 'field' | undefined {
  const l = location.toLowerCase();
  if (!(l.endsWith('filename') || l.endsWith('file-name') || l.endsWith('file_name'))) return undefined;
  if (l.startsWith('header.')) return 'upload';
  // multipart: `body.<part>.filename`, exactly as the extractor writes it (a JSON path has `$`)
  if (location.startsWith('body.') && location.endsWith('.filename') && !location.includes('$')) {
    const part = location.slice(5, -9);
    if (part.length > 0 && !part.includes('.')) return 'upload';
  }
  return 'field';
}
