-- Queues (stepline.queues, the AmazonSQS API) and their messages.

CREATE TABLE queues (
    name         text PRIMARY KEY,
    url          text NOT NULL,
    arn          text NOT NULL,
    attributes   text NOT NULL,  -- JSON: SQS attributes as strings
    created_at   timestamptz NOT NULL,
    modified_at  timestamptz NOT NULL,
    tags         text NOT NULL
);

CREATE TABLE queue_messages (
    seq                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- sending order
    id                 text NOT NULL UNIQUE,
    queue_name         text NOT NULL,
    body               text NOT NULL,
    md5_body           text NOT NULL,
    sent_at            timestamptz NOT NULL,
    visible_at         timestamptz NOT NULL,
    attributes         text NOT NULL,
    message_attributes text NOT NULL,
    md5_attributes     text,
    receive_count      integer NOT NULL,
    first_received_at  timestamptz,
    receipt_handle     text UNIQUE
);

CREATE INDEX queue_messages_visible ON queue_messages (queue_name, visible_at, seq);
