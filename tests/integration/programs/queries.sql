-- Deterministic SQLite workload for the real-program tests: inserts through
-- recursive CTEs, indexes, joins, aggregates, window functions, JSON, sorting.
PRAGMA journal_mode = OFF;
CREATE TABLE words(id INTEGER PRIMARY KEY, word TEXT NOT NULL, len INTEGER, grp INTEGER);
CREATE TABLE scores(word_id INTEGER REFERENCES words(id), round INTEGER, score REAL);

WITH RECURSIVE seq(n, s) AS (
    SELECT 1, 12345
    UNION ALL
    SELECT n + 1, (s * 1103515245 + 12345) % 2147483648 FROM seq WHERE n < 60000
)
INSERT INTO words(id, word, len, grp)
SELECT n,
       char(97 + (s >> 8) % 26, 97 + (s >> 13) % 26, 97 + (s >> 18) % 26) || substr('abcdefghij', 1 + (s >> 3) % 10, (s >> 5) % 6),
       0, (s >> 9) % 97
FROM seq;
UPDATE words SET len = length(word);

WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 3)
INSERT INTO scores SELECT id, k, (id * 7919 + k * 104729) % 1000 / 10.0 FROM words, r;

CREATE INDEX words_word ON words(word);
CREATE INDEX scores_word ON scores(word_id, round);

SELECT 'rows', (SELECT count(*) FROM words), (SELECT count(*) FROM scores), (SELECT count(DISTINCT word) FROM words);
SELECT 'top', word, count(*) AS c FROM words GROUP BY word ORDER BY c DESC, word LIMIT 5;
SELECT 'len', len, count(*), min(word), max(word) FROM words GROUP BY len ORDER BY len;
SELECT 'join', w.grp, round(sum(s.score), 1), count(*) FROM words w JOIN scores s ON s.word_id = w.id
    WHERE w.grp < 5 GROUP BY w.grp ORDER BY w.grp;
SELECT 'window', id, word, rank() OVER (PARTITION BY grp ORDER BY word, id) AS rk
    FROM words WHERE grp = 42 ORDER BY rk LIMIT 5;
SELECT 'like', count(*) FROM words WHERE word LIKE 'ab%' OR word GLOB '*j';
SELECT 'json', json_group_array(word) FROM (SELECT word FROM words WHERE grp = 7 ORDER BY word LIMIT 8);
SELECT 'concat', length(group_concat(word, ',')), substr(group_concat(word, ','), 1, 40)
    FROM (SELECT word FROM words ORDER BY word DESC, id);
DELETE FROM words WHERE id % 3 = 0;
UPDATE words SET word = upper(word) WHERE id % 5 = 0;
SELECT 'after', count(*), sum(len), max(word) FROM words;
SELECT 'sorted', group_concat(word, ' ') FROM (SELECT word FROM words ORDER BY lower(word), id LIMIT 10);
VACUUM;
SELECT 'integrity', * FROM pragma_integrity_check;
