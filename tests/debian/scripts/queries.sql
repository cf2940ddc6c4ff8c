SELECT 'rows', count(*), sum(value), min(value), max(value) FROM item;
SELECT category, count(*), sum(value), printf('%.3f', avg(value)), min(name), max(name)
  FROM item GROUP BY category ORDER BY category;
SELECT substr(name, 1, 4) AS kind, count(*), sum(value % 10) FROM item GROUP BY kind ORDER BY kind;
SELECT name, value FROM item WHERE value > 9990 ORDER BY value DESC, id LIMIT 5;
PRAGMA integrity_check;
