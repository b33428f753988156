-- Notifications (stepline.notifications, Amazon SNS's model): topics, subscriptions, the
-- messages published, one delivery per (message, subscription) and its attempts.

CREATE TABLE topics (
    name        text COLLATE "C" PRIMARY KEY,
    arn         text NOT NULL,
    created_at  timestamptz NOT NULL,
    attributes  text NOT NULL  -- JSON
);

CREATE TABLE topic_subscriptions (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- creation order
    arn            text NOT NULL UNIQUE,
    topic_name     text COLLATE "C" NOT NULL,
    protocol       text NOT NULL,
    endpoint       text NOT NULL,
    created_at     timestamptz NOT NULL,
    filter_policy  text
);
CREATE INDEX topic_subscriptions_by_topic ON topic_subscriptions (topic_name, created_at, seq);

CREATE TABLE notifications (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- publishing order
    id            text NOT NULL UNIQUE,
    topic_name    text NOT NULL,
    topic_arn     text NOT NULL,
    message       text NOT NULL,
    published_at  timestamptz NOT NULL,
    subject       text,
    attributes    text NOT NULL,
    structure     text,
    deliveries    integer NOT NULL
);
CREATE INDEX notifications_by_topic ON notifications (topic_name, published_at, seq);

CREATE TABLE notification_deliveries (
    id                text PRIMARY KEY,
    message_id        text NOT NULL,
    subscription_arn  text COLLATE "C" NOT NULL,
    protocol          text NOT NULL,
    endpoint          text NOT NULL,
    status            text NOT NULL,  -- PENDING | DELIVERED | FAILED
    due_at            timestamptz NOT NULL,
    attempts          integer NOT NULL,
    lease_owner       text,
    lease_until       timestamptz,
    last_error        text
);
CREATE INDEX notification_deliveries_by_message ON notification_deliveries (message_id);
CREATE INDEX notification_deliveries_pending ON notification_deliveries (due_at)
    WHERE status = 'PENDING';

CREATE TABLE notification_attempts (
    delivery_id  text NOT NULL,
    number       integer NOT NULL,
    at           timestamptz NOT NULL,
    outcome      text NOT NULL,  -- DELIVERED | FAILED
    status_code  integer,
    error        text,
    PRIMARY KEY (delivery_id, number)
);
