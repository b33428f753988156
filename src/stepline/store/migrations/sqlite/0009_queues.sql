-- Queues (stepline.queues, the AmazonSQS API) and their messages.

CREATE TABLE queues (
    name         TEXT PRIMARY KEY,
    url          TEXT NOT NULL,
    arn          TEXT NOT NULL,
    attributes   TEXT NOT NULL,  -- JSON: SQS attributes as strings
    created_at   INTEGER NOT NULL,
    modified_at  INTEGER NOT NULL,
    tags         TEXT NOT NULL
);

CREATE TABLE queue_messages (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,  -- sending order
    id                 TEXT NOT NULL UNIQUE,
    queue_name         TEXT NOT NULL,
    body               TEXT NOT NULL,
    md5_body           TEXT NOT NULL,
    sent_at            INTEGER NOT NULL,
    visible_at         INTEGER NOT NULL,
    attributes         TEXT NOT NULL,
    message_attributes TEXT NOT NULL,
    md5_attributes     TEXT,
    receive_count      INTEGER NOT NULL,
    first_received_at  INTEGER,
    receipt_handle     TEXT UNIQUE
);

CREATE INDEX queue_messages_visible ON queue_messages (queue_name, visible_at, seq);
