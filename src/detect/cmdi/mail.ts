/**
 * Mail protocol command injection (SMTP, POP3, IMAP): a line break in a value that an application
 * writes into a mail session lets the attacker add protocol commands of their own (a recipient, a
 * message, a mailbox search). A finding needs a line break followed by a line in that protocol's
 * grammar — the verb with arguments of its exact shape (`RCPT TO:<…>`, `RETR 12`, `a01 FETCH 1:4
 * (FLAGS)`) — so prose lines that open with the same English words (`list 3 things`) stay quiet.
 * A verb alone (`QUIT`, `DATA`) scores low, reported only at paranoia 3 — at 2 when the value is
 * nothing but a line break and that verb.
 */

export interface MailHit {
  score: number;
  rule: 'mail-protocol-command';
  offset: number;
}

const MAX_LINES = 64;
const MAX_LINE = 200;

/** IMAP commands whose arguments are protocol syntax: reported at paranoia 1. */
const IMAP_STRONG = new Set([
  'append',
  'status',
  'authenticate',
  'uid',
  'login',
  'select',
  'examine',
  'fetch',
  'store',
  'copy',
  'move',
  'search',
]);
/** IMAP commands that are also everyday words: paranoia 2. */
const IMAP_WEAK = new Set([
  'list',
  'lsub',
  'create',
  'delete',
  'rename',
  'subscribe',
  'unsubscribe',
  'expunge',
  'close',
  'check',
  'capability',
  'logout',
  'noop',
  'idle',
]);
const SMTP_BARE = new Set(['data', 'quit', 'rset', 'noop', 'starttls', 'turn']);

function judgeLine(line: string): number {
  const l = line.toLowerCase();
  // SMTP
  if (/^(mail from|rcpt to): ?</.test(l)) return 0.75;
  if (/^(helo|ehlo) [a-z0-9.-]+\.[a-z0-9-]+$/.test(l) || /^(helo|ehlo) \[[0-9.]+\]$/.test(l)) return 0.65;
  if (/^(vrfy|expn|help) [^ ]{1,64}$/.test(l)) return 0.35;
  if (SMTP_BARE.has(l)) return 0.35;
  // POP3
  if (/^(retr|dele|list|uidl) [0-9]{1,9}$/.test(l) || /^top [0-9]{1,9} [0-9]{1,9}$/.test(l)) return 0.65;
  if (/^apop [^ ]{1,64} [0-9a-f]{32}$/.test(l)) return 0.75;
  if (/^auth (plain|login|cram-md5|digest-md5|xoauth2|gssapi|ntlm)( |$)/.test(l)) return 0.65;
  if (/^auth [^ ]{1,64} [a-z0-9+/]{8,}={0,2}$/.test(l)) return 0.65;
  // IMAP: a tag with a digit (`a001`, `A1`), a command, arguments
  const m = /^([a-z]{0,4}[0-9]{1,5}) ([a-z]+)( .*)?$/.exec(l);
  if (m !== null) {
    const cmd = m[2]!;
    const args = m[3] !== undefined && m[3].trim() !== '';
    if (IMAP_STRONG.has(cmd)) return args ? 0.65 : 0.4;
    // `a1 list "" "*"`: quoted reference and pattern are protocol syntax
    if (IMAP_WEAK.has(cmd)) return args ? (/^ "[^"]*" "[^"]*"$/.test(m[3]!) ? 0.65 : 0.45) : 0.35;
  }
  // `x store 2 +flags (\deleted)`: flag syntax identifies IMAP whatever the tag
  if (/^[a-z0-9]{1,8} (uid )?(store|fetch) [0-9:*,]+ .*(flags|\(\\)/.test(l)) return 0.65;
  return 0;
}

/** The strongest mail protocol command on a line that follows a line break in the value. */
export function mailCommand(text: string): MailHit | null {
  let best: MailHit | null = null;
  let at = text.indexOf('\n');
  for (let n = 0; at >= 0 && n < MAX_LINES; n++) {
    let s = at + 1;
    while (text[s] === ' ' || text[s] === '\t' || text[s] === '\r') s++;
    let e = s;
    while (e < text.length && e - s < MAX_LINE && text[e] !== '\n' && text[e] !== '\r') e++;
    if (e - s < MAX_LINE) {
      let score = judgeLine(text.slice(s, e).trimEnd());
      // `\r\nQUIT` as the whole value: the line break is the payload, not a paragraph of a text
      if (
        score >= 0.3 &&
        score < 0.45 &&
        n === 0 &&
        text.slice(0, at).trim() === '' &&
        e >= text.trimEnd().length
      )
        score = 0.45;
      if (score > 0 && (best === null || score > best.score))
        best = { score, rule: 'mail-protocol-command', offset: s };
    }
    at = text.indexOf('\n', e);
  }
  return best;
}
