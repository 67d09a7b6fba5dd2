-- `log show --style json` / `log stream --style json` (and the same records pretty-printed by other tools):
-- the grouping step hands each record's lines in as one text; here the record's own braces are restored.
-- $brace_style 'leading': `log show` puts a record's closing brace at the start of the next record's line
-- (`},{`); 'own_line': each record's closing brace ends its own text (`}` or `},`).
WITH r AS (
    SELECT *, regexp_matches(text, $relevance) AS relevant,
           '{' || CASE WHEN $brace_style = 'leading'
                       THEN regexp_replace(regexp_replace(text, '^\s*\[?\s*(\}\s*,\s*)?\{', ''),
                                           '(^|\n)\}\s*\]?\s*$', '')
                       ELSE regexp_replace(regexp_replace(text, '^\s*\[?\s*(\}\s*,\s*)?\{', ''),
                                           '\}\s*,?\s*\]?\s*$', '') END || '}' AS body
    FROM chunk_records
), v AS (
    SELECT *, json_valid(body) AS valid FROM r
), j AS (
    SELECT *, CASE WHEN valid AND relevant THEN CAST(body AS JSON) END AS j FROM v
)
SELECT
    line_start, line_end, text, relevant, false AS is_meta,
    CASE
        WHEN NOT valid AND bad_utf8 THEN 'invalid UTF-8 bytes and not valid JSON'
        WHEN NOT valid THEN 'record is not valid JSON (cut or damaged)'
        WHEN is_last AND NOT regexp_matches(text, CASE WHEN $brace_style = 'leading' THEN '(^|\n)\}\s*\]?\s*$'
                                                       ELSE '\}\s*,?\s*\]?\s*$' END)
            THEN 'last record has no closing brace: the export was cut'
    END AS reject_reason,
    j ->> 'timestamp' AS ts_text,
    regexp_extract(j ->> 'processImagePath', '([^/]+)$', 1) AS process,
    TRY_CAST(j ->> 'processID' AS INTEGER) AS pid,
    j ->> 'threadID' AS thread,
    j ->> 'messageType' AS level,
    j ->> 'subsystem' AS subsystem,
    j ->> 'category' AS category,
    regexp_extract(j ->> 'senderImagePath', '([^/]+)$', 1) AS sender,
    j ->> 'eventMessage' AS message
FROM j
