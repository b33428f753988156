-- Notifications (stepline.notifications, Amazon SNS's model): topics, subscriptions, the
-- messages published, one delivery per (message, subscription) and its attempts.

CREATE TABLE topics (
    name        TEXT PRIMARY KEY,
    arn         TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attributes  TEXT NOT NULL  -- JSON
);

CREATE TABLE topic_subscriptions (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,  -- creation order
    arn            TEXT NOT NULL UNIQUE,
    topic_name     TEXT NOT NULL,
    protocol       TEXT NOT NULL,
    endpoint       TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    filter_policy  TEXT
);
CREATE INDEX topic_subscriptions_by_topic ON topic_subscriptions (topic_name, created_at, seq);

CREATE TABLE notifications (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,  -- publishing order
    id            TEXT NOT NULL UNIQUE,
    topic_name    TEXT NOT NULL,
    topic_arn     TEXT NOT NULL,
    message       TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    subject       TEXT,
    attributes    TEXT NOT NULL,
    structure     TEXT,
    deliveries    INTEGER NOT NULL
);
CREATE INDEX notifications_by_topic ON notifications (topic_name, published_at, seq);

CREATE TABLE notification_deliveries (
    id                TEXT PRIMARY KEY,
    message_id        TEXT NOT NULL,
    subscription_arn  TEXT NOT NULL,
    protocol          TEXT NOT NULL,
    endpoint          TEXT NOT NULL,
    status            TEXT NOT NULL,  -- PENDING | DELIVERED | FAILED
    due_at            INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    lease_owner       TEXT,
    lease_until       INTEGER,
    last_error        TEXT
);
CREATE INDEX notification_deliveries_by_message ON notification_deliveries (message_id);
CREATE INDEX notification_deliveries_pending ON notification_deliveries (due_at)
    WHERE status = 'PENDING';

CREATE TABLE notification_attempts (
    delivery_id  TEXT NOT NULL,
    number       INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    outcome      TEXT NOT NULL,  -- DELIVERED | FAILED
    status_code  INTEGER,
    error        TEXT,
    PRIMARY KEY (delivery_id, number)
);
