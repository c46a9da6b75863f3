/**
 * Restricted upload names for the command-injection detector: a file sent for upload (a multipart
 * `filename`, an `X-Filename` header, a `filename` field) named like a file that changes how the
 * server runs code or whom it trusts once written where it is read (`.htaccess`, `.user.ini`,
 * `web.config`, shell start-up files, `authorized_keys`, client credential files). An upload
 * that lands in a web root or home directory under such a name executes or grants access without
 * any command being injected. Application configuration names (`config.yml`, `settings.php`) are
 * also uploaded by legitimate tools: paranoia 2.
 */

export interface UploadHit {
  score: number;
  rule: 'restricted-upload';
}

/** Read by the web server, PHP, a shell, sshd or a client library as soon as they exist. */
const ACTIVE = new Set([
  '.htaccess',
  '.htpasswd',
  '.htdigest',
  '.user.ini',
  'php.ini',
  'web.config',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.cshrc',
  '.tcshrc',
  '.kshrc',
  '.inputrc',
  '.vimrc',
  '.exrc',
  '.gitconfig',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.pgpass',
  '.my.cnf',
  '.boto',
  '.s3cfg',
  '.dockercfg',
  '.env',
  'authorized_keys',
  'authorized_keys2',
  'wp-config.php',
  'localsettings.php',
  'configuration.php',
]);
/** Application configuration that legitimate deploy tools also upload. */
const CONFIG = new Set([
  'config.yml',
  'config.yaml',
  'config.php',
  'config.inc.php',
  'settings.php',
  'settings.local.php',
  'parameters.yml',
  'security.yml',
  'services.yml',
  'routing.yml',
  'local.xml',
  'database.yml',
  'secrets.yml',
]);

/** Locations that name a file to be written: `body.<field>.filename`, `header.x-filename`, `file_name`. */
export function isUploadName(location: string): boolean {
  const n = location.length;
  if (n < 8) return false;
  const tail = location.slice(n - 9).toLowerCase();
  return tail.endsWith('filename') || tail.endsWith('file-name') || tail.endsWith('file_name');
}

/** The longest name of ACTIVE and CONFIG (`settings.local.php`). */
const MAX_NAME = 18;

export function restrictedUpload(value: string): UploadHit | null {
  // called on every value: cheap rejections first (no allocation for prose, URLs, e-mails)
  if (value.length > 256 || value.length < 4) return null;
  let s = Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\')) + 1;
  let e = value.length;
  while (s < e && value.charCodeAt(s) <= 32) s++;
  while (e > s && value.charCodeAt(e - 1) <= 32) e--;
  const len = e - s;
  const space = value.indexOf(' ', s);
  if (len < 4 || (space >= 0 && space < e)) return null;
  const c0 = value.charCodeAt(s) | 0x20;
  // every name opens with `.` or one of these letters, and holds a dot but `authorized_keys`
  if (c0 !== 0x2e && c0 !== 0x61 && c0 !== 0x63 && c0 !== 0x64 && c0 !== 0x6c && c0 !== 0x70 && c0 !== 0x72)
    if (c0 !== 0x73 && c0 !== 0x77) return null;
  const name = value.slice(s, e).toLowerCase();
  if (len <= MAX_NAME && ACTIVE.has(name)) return { score: 0.75, rule: 'restricted-upload' };
  // `wp-config.php.bak`, `wp-config_php.txt`: the WordPress configuration under another extension
  if ((len <= MAX_NAME && CONFIG.has(name)) || name.startsWith('wp-config'))
    return { score: 0.45, rule: 'restricted-upload' };
  return null;
}
