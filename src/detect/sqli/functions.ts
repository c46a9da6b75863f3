/**
 * Built-in function names of MySQL/MariaDB, PostgreSQL, MSSQL, Oracle and SQLite. A value that is
 * one of them followed by a dangling `(` is a fuzzer's probe (./fragment.ts): many are English words
 * (`date`, `time`, `log`), so the name alone means nothing; the open call as the whole value does.
 * Grouped by what the functions do, not by dialect.
 */
const NAMES = [
  // numeric
  'abs acos asin atan atan2 ceil ceiling conv cos cot crc32 degrees div exp floor ln log log10 log2',
  'mod pi pow power radians rand random round sign sin sqrt tan truncate trunc greatest least',
  // string
  'ascii bin bit_length char char_length character_length chr concat concat_ws elt export_set field',
  'find_in_set format from_base64 hex insert instr lcase left length locate lower lpad ltrim make_set',
  'mid oct octet_length ord position quote regexp_replace regexp_substr regexp_instr regexp_like',
  'repeat replace reverse right rpad rtrim soundex space strcmp substr substring substring_index',
  'to_base64 trim ucase unhex upper split_part string_agg translate initcap btrim strpos charindex',
  'patindex stuff replicate quotename datalength nchar unicode printf char_index left_pad',
  // dates
  'adddate addtime convert_tz curdate current_date current_time current_timestamp curtime date',
  'date_add date_format date_sub datediff day dayname dayofmonth dayofweek dayofyear extract',
  'from_days from_unixtime get_format hour last_day localtime localtimestamp makedate maketime',
  'microsecond minute month monthname now period_add period_diff quarter sec_to_time second',
  'str_to_date subdate subtime sysdate time time_format time_to_sec timediff timestamp timestampadd',
  'timestampdiff to_days to_seconds unix_timestamp utc_date utc_time utc_timestamp week weekday',
  'weekofyear year yearweek getdate getutcdate dateadd datepart datename sysdatetime to_date',
  'to_timestamp to_char to_number date_trunc age',
  // conditionals, casts, nulls
  'case cast coalesce convert if ifnull iif isnull nullif nvl nvl2 decode choose try_cast try_convert',
  'isnumeric typeof default values in exists',
  // aggregates
  'avg bit_and bit_or bit_xor count group_concat max min std stddev stddev_pop stddev_samp sum',
  'var_pop var_samp variance array_agg listagg json_agg json_arrayagg json_objectagg',
  // server facts and security
  'benchmark charset coercibility collation connection_id current_role current_user database',
  'found_rows last_insert_id row_count schema session_user system_user user version db_name',
  'user_name host_name suser_name suser_sname is_srvrolemember is_member has_dbaccess object_id',
  'object_name sqlite_version last_insert_rowid changes total_changes current_database',
  'current_schema pg_backend_pid sys_context userenv',
  // crypto and compression
  'aes_decrypt aes_encrypt compress uncompress uncompressed_length des_decrypt des_encrypt encode',
  'encrypt md5 old_password password sha sha1 sha2 random_bytes validate_password_strength',
  // locks, sleeps, files, XML, misc
  'get_lock is_free_lock is_used_lock release_lock master_pos_wait sleep pg_sleep load_file',
  'extractvalue updatexml name_const uuid uuid_short inet_aton inet_ntoa inet6_aton inet6_ntoa',
  'json_extract json_keys json_value json_query xmltype randomblob zeroblob likely unlikely',
  'likelihood glob like rlike regexp match against execute',
].join(' ');

/** Lower-case SQL function names (see the file comment). */
export const SQL_CALL_NAMES: ReadonlySet<string> = new Set(NAMES.split(/\s+/).filter((w) => w.length > 0));
