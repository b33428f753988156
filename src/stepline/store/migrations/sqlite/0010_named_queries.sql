-- Athena named queries (CreateNamedQuery, GetNamedQuery, ListNamedQueries...).
CREATE TABLE named_queries (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    database_name  TEXT NOT NULL,
    query          TEXT NOT NULL,
    workgroup      TEXT NOT NULL,
    description    TEXT,
    created_at     INTEGER NOT NULL
);
CREATE INDEX named_queries_by_workgroup ON named_queries (workgroup, id);
