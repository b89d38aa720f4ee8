import { isSingleStatement } from '../../src/console/index.js';

describe('Function: isSingleStatement()', () => {
  it.each([
    'SELECT 1',
    'SELECT 1;',
    'SELECT 1;  -- done\n',
    "SELECT ';' AS semicolon FROM articles",
    "SELECT 'it''s; fine'",
    'SELECT 1 AS "a;b"',
    'SELECT $$;$$, $body$ ; DELETE $body$',
    'SELECT 1 /* ; DELETE FROM articles */',
    'SELECT 1; /* trailing */ ; ',
  ])('accepts one statement: %j', (sql) => {
    // Act / Assess
    expect(isSingleStatement(sql)).toBe(true);
  });

  it.each([
    'COMMIT; DELETE FROM articles',
    'SELECT 1; SELECT 2',
    "SELECT ';'; DROP TABLE articles",
    'SELECT $$x$$; DELETE FROM articles',
    'SELECT 1 -- c\n; UPDATE articles SET title = 1',
  ])('refuses several statements: %j', (sql) => {
    // Act / Assess
    expect(isSingleStatement(sql)).toBe(false);
  });
});
