// Error signatures of common SQL engines, as plain substrings (no regex on attacker-driven text).

export const SQL_ERROR_SIGNATURES: { engine: string; text: string }[] = [
  { engine: 'MySQL', text: 'you have an error in your sql syntax' },
  { engine: 'MySQL', text: 'warning: mysql' },
  { engine: 'MySQL', text: 'mysqlsyntaxerrorexception' },
  { engine: 'MySQL', text: 'check the manual that corresponds to your mysql' },
  { engine: 'MySQL', text: 'check the manual that corresponds to your mariadb' },
  { engine: 'MySQL', text: 'er_parse_error' },
  { engine: 'PostgreSQL', text: 'pg::syntaxerror' },
  { engine: 'PostgreSQL', text: 'unterminated quoted string at or near' },
  { engine: 'PostgreSQL', text: 'syntax error at or near' },
  { engine: 'PostgreSQL', text: 'psqlexception' },
  { engine: 'PostgreSQL', text: 'invalid input syntax for' },
  { engine: 'PostgreSQL', text: 'pg_query()' },
  { engine: 'MSSQL', text: 'unclosed quotation mark after the character string' },
  { engine: 'MSSQL', text: 'incorrect syntax near' },
  { engine: 'MSSQL', text: 'microsoft ole db provider for sql server' },
  { engine: 'MSSQL', text: '[sql server]' },
  { engine: 'MSSQL', text: 'sqlexception' },
  { engine: 'Oracle', text: 'ora-00933' },
  { engine: 'Oracle', text: 'ora-01756' },
  { engine: 'Oracle', text: 'ora-00936' },
  { engine: 'Oracle', text: 'quoted string not properly terminated' },
  { engine: 'SQLite', text: 'sqlite_error' },
  { engine: 'SQLite', text: 'sqliteexception' },
  { engine: 'SQLite', text: 'sqlite3.operationalerror' },
  { engine: 'SQLite', text: 'unrecognized token:' },
  { engine: 'SQLite', text: 'sqlite error' },
  { engine: 'SQLite', text: 'sqliteerror' },
  { engine: 'generic', text: 'sqlstate[' },
  { engine: 'generic', text: 'syntax error in sql' },
  { engine: 'generic', text: 'unterminated string' },
  { engine: 'generic', text: 'sql syntax' },
  { engine: 'generic', text: 'sequelizedatabaseerror' },
  { engine: 'generic', text: 'querysyntaxerror' },
];

/** The first SQL error signature in `body` (case-insensitive), if any. */
export function sqlErrorIn(body: string): { engine: string; text: string } | undefined {
  const lower = body.slice(0, 200_000).toLowerCase();
  for (const s of SQL_ERROR_SIGNATURES) if (lower.includes(s.text)) return s;
  // SQLite's classic `near "x": syntax error`
  for (const opener of ['near "', 'near \\"']) {
    const near = lower.indexOf(opener);
    const err = near >= 0 ? lower.indexOf('": syntax error', near) : -1;
    const errJson = near >= 0 ? lower.indexOf('\\": syntax error', near) : -1;
    const at = err >= 0 ? err : errJson;
    if (near >= 0 && at > near && at - near < 200)
      return { engine: 'SQLite', text: 'near "…": syntax error' };
  }
  return undefined;
}
