/**
 * Word lists of the SQLi judge: function, procedure, catalogue and operator names by what they
 * reveal about a value. ./prefilter.ts derives its significant words from some of them.
 */
/** Time-based, error-based and out-of-band functions: almost never legitimate in a parameter. */
export const DANGER_FUNCS = new Set([
  // time
  'sleep',
  'benchmark',
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  'dbms_lock.sleep',
  'dbms_session.sleep',
  'dbms_pipe.receive_message',
  'randomblob',
  'get_lock',
  // error based
  'extractvalue',
  'updatexml',
  'name_const',
  'geometrycollection',
  'multipoint',
  'multipolygon',
  'multilinestring',
  'linestring',
  'polygon',
  'gtid_subset',
  'gtid_subtract',
  'ctxsys.drithsx.sn',
  'utl_inaddr.get_host_name',
  'utl_inaddr.get_host_address',
  'xmltype',
  'dbms_xdb_version.checkin',
  'dbms_utility.sqlid_to_sqlhash',
  'ordsys.ord_dicom.getmappingxpath',
  'json_keys',
  // out of band / file / command
  'load_file',
  'utl_http.request',
  'httpuritype',
  'dbms_ldap.init',
  'xp_cmdshell',
  'master..xp_cmdshell',
  'xp_dirtree',
  'master..xp_dirtree',
  'xp_fileexist',
  'xp_regread',
  'sp_oacreate',
  'sp_execute_external_script',
  'lo_import',
  'lo_export',
  'pg_read_file',
  'pg_ls_dir',
  'lo_get',
  'dblink',
  'dblink_connect',
  'openrowset',
  'opendatasource',
  'sys_eval',
  'sys_exec',
  'load_extension',
  'dbms_java.runjava',
]);

/** SQL functions typical of injection payloads (information, string building, conditionals). */
export const SQL_FUNCS = new Set([
  'version',
  'database',
  'schema',
  'user',
  'current_user',
  'system_user',
  'session_user',
  'concat',
  'concat_ws',
  'group_concat',
  'string_agg',
  'char',
  'chr',
  'nchar',
  'ascii',
  'ord',
  'substring',
  'substr',
  'mid',
  'hex',
  'unhex',
  'elt',
  'make_set',
  'count',
  'length',
  'len',
  'ifnull',
  'nullif',
  'isnull',
  'coalesce',
  'iif',
  'if',
  'cast',
  'convert',
  'regexp_substring',
  'repeat',
  'instr',
  'locate',
  'rand',
  'floor',
  'db_name',
  'user_name',
  'host_name',
  'has_dbaccess',
  'is_srvrolemember',
  'sqlite_version',
  'exp',
  'row',
  'exists',
  'table_name',
  'column_name',
  'current_database',
  'pg_client_encoding',
  'to_char',
  'utl_raw.cast_to_varchar2',
  'sys.fn_varbintohexstr',
  'quote',
  'soundex',
  'crc32',
  'md5',
  'sha1',
  'bin',
  'oct',
  'ascii_str',
  'unicode',
  'typeof',
  'zeroblob',
]);

export const SYSTEM_TABLE_PREFIXES = [
  'information_schema',
  'sqlite_master',
  'sqlite_schema',
  'sqlite_temp_master',
  'sysobjects',
  'syscolumns',
  'sysdatabases',
  'sys.',
  'master..',
  'master.dbo.',
  'pg_catalog',
  'pg_tables',
  'pg_user',
  'pg_shadow',
  'pg_database',
  'pg_namespace',
  'all_tables',
  'all_users',
  'all_tab_columns',
  'user_tables',
  'user_tab_columns',
  'dba_users',
  'mysql.user',
  'mysql.db',
  'msysaccessobjects',
  'msysobjects',
  'performance_schema',
  'v$version',
];

/** Procedures whose name alone means an attack tool is being reached for. */
export const OOB_NAMES = new Set([
  'xp_cmdshell',
  'master..xp_cmdshell',
  'master.dbo.xp_cmdshell',
  'xp_dirtree',
  'master..xp_dirtree',
  'xp_fileexist',
  'xp_regread',
  'xp_regwrite',
  'sp_oacreate',
  'sp_oamethod',
  'sp_execute_external_script',
  'sp_makewebtask',
  'sp_addextendedproc',
  'sp_configure',
  'utl_http.request',
  'openrowset',
  'opendatasource',
  'load_file',
  'dbms_ldap.init',
  'benchmark',
  'pg_sleep',
  'extractvalue',
  'updatexml',
]);

/** Numeric cast targets: casting text to them fails with the text in the error message. */
export const INT_TYPES = new Set([
  'int',
  'integer',
  'int2',
  'int4',
  'int8',
  'bigint',
  'numeric',
  'smallint',
  'decimal',
  'real',
  'float',
  'double',
]);

/** System catalogue prefixes specific enough to be suspicious on their own (see isSpecificSystemTable). */
export const SPECIFIC_SYSTEM_PREFIXES: readonly string[] = [
  'information_schema',
  'sqlite_master',
  'sqlite_schema',
  'pg_catalog',
  'pg_shadow',
  'msysaccessobjects',
  'msysobjects',
  'master..sys',
];
/** System catalogue names matched exactly (see isSpecificSystemTable). */
export const SPECIFIC_SYSTEM_NAMES: readonly string[] = [
  'mysql.user',
  'mysql.db',
  'sysobjects',
  'syscolumns',
  // MSSQL system databases: no other vocabulary has these words
  'msdb',
  'tempdb',
];

/**
 * System catalogue names specific enough to be suspicious on their own. The prefilter
 * (./prefilter.ts) derives its word list from the two arrays above: keep them the only source.
 */
export function isSpecificSystemTable(w: string): boolean {
  for (const p of SPECIFIC_SYSTEM_PREFIXES) if (w.startsWith(p)) return true;
  for (const x of SPECIFIC_SYSTEM_NAMES) if (w === x) return true;
  return false;
}

export function isSystemTable(w: string): boolean {
  for (const p of SYSTEM_TABLE_PREFIXES) if (w.startsWith(p)) return true;
  return false;
}

export const COMPARE = new Set([
  '=',
  '==',
  '<',
  '>',
  '<=',
  '>=',
  '<>',
  '!=',
  '<=>',
  'like',
  'rlike',
  'regexp',
  'ilike',
  'similar',
  'is',
  'in',
  'between',
  'glob',
  'sounds',
  'match',
  '@>',
  '<@',
  '~',
  '~*',
  '!~',
  '?',
  '?|',
  '?&',
  '@?',
  '@@',
]);

/** Functions that return server facts; called with `()` inside another call they read data out. */
export const INFO_FUNCS = new Set([
  'version',
  'database',
  'schema',
  'user',
  'current_user',
  'system_user',
  'session_user',
  'db_name',
  'user_name',
  'host_name',
  'current_database',
  'sqlite_version',
  'connection_id',
  'last_insert_id',
]);
/** String builders that wrap extracted data (`concat(0x7e,version())`). */
export const WRAP_FUNCS = new Set([
  'concat',
  'concat_ws',
  'group_concat',
  'string_agg',
  'char',
  'hex',
  'md5',
  'elt',
  'make_set',
  'updatexml',
  'extractvalue',
  'ascii',
  'substring',
  'substr',
  'mid',
  'length',
  'ord',
]);

/** Comparison operators that exist in SQL only (no programming or query language shares them). */
export const SQL_ONLY_COMPARE = new Set([
  '<=>',
  'is',
  'like',
  'rlike',
  'regexp',
  'sounds',
  'glob',
  'similar',
  'between',
]);
/** PostgreSQL JSON / jsonpath operators. */
export const JSON_OPS = new Set(['@>', '<@', '?|', '?&', '@?', '@@', '#>', '#>>', '#-', '->', '->>']);
/** Server facts PostgreSQL exposes without parentheses: `current_user::int` reads them in an error. */
export const BARE_INFO = new Set([
  'current_user',
  'session_user',
  'user',
  'current_database',
  'current_schema',
  'version',
]);

export const STATEMENT_WORDS = new Set([
  'select',
  'waitfor',
  'exec',
  'execute',
  'drop',
  'delete',
  'insert',
  'update',
  'declare',
  'shutdown',
]);

/**
 * Names that exist only inside database servers (MSSQL system procedures, Oracle network packages,
 * OLE DB providers used by OPENROWSET): no other vocabulary has them, so one as the whole value is
 * someone reaching for the server. ./prefilter.ts keeps values holding them.
 */
export const DB_ONLY_NAMES: ReadonlySet<string> = new Set([
  'sp_executesql',
  'sp_password',
  'sp_addlogin',
  'sp_addsrvrolemember',
  'sp_adduser',
  'sp_droplogin',
  'sp_helprotect',
  'sp_msforeachtable',
  'sp_msforeachdb',
  'sp_linkedservers',
  'sp_addlinkedserver',
  'sp_send_dbmail',
  'xp_servicecontrol',
  'xp_availablemedia',
  'xp_enumdsn',
  'xp_loginconfig',
  'xp_terminate_process',
  'utl_http',
  'utl_inaddr',
  'utl_file',
  'utl_smtp',
  'utl_tcp',
  'dbms_pipe',
  'dbms_lock',
  'dbms_java',
  'dbms_xmlgen',
  'dbms_xmlquery',
  'dbms_export_extension',
  'msdasql',
  'sqloledb',
  'msdaora',
  'sqlncli',
]);

/**
 * Sample databases of tutorials and vendor installs: a value naming one alone is weak evidence of
 * someone guessing database names (paranoia 2). SQL type names (`varchar`, `tinyint`) and catalogue
 * column names (`table_name`) are not here: database tools send them as ordinary values.
 */
export const DB_WORDS: ReadonlySet<string> = new Set([
  'northwind',
  'adventureworks',
  'sakila',
  'wideworldimporters',
]);
