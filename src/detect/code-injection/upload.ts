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

export const isFileNameLocation = (location: string): boolean => {
  const l = location.toLowerCase();
  return l.endsWith('filename') || l.endsWith('file-name') || l.endsWith('file_name');
};
