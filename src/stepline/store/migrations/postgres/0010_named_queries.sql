-- Athena named queries (CreateNamedQuery, GetNamedQuery, ListNamedQueries...).
CREATE TABLE named_queries (
    id             text COLLATE "C" PRIMARY KEY,
    name           text NOT NULL,
    database_name  text NOT NULL,
    query          text NOT NULL,
    workgroup      text NOT NULL,
    description    text,
    created_at     timestamptz NOT NULL
);
CREATE INDEX named_queries_by_workgroup ON named_queries (workgroup, id);
