-- Articles served by GET /articles?type=...
CREATE TABLE articles (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type         text        NOT NULL CHECK (type ~ '^[a-z][a-z0-9-]{0,31}$'),
  title        text        NOT NULL,
  summary      text        NOT NULL,
  published_at timestamptz NOT NULL
);

-- The one query the API runs: newest articles of a type.
CREATE INDEX articles_type_published_at_idx ON articles (type, published_at DESC, id DESC);
