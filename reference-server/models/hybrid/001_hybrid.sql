-- hybrid: per-message receipts (as naive) for direct chats and small groups, watermarks (as
-- watermark) for large groups. Which store a conversation uses follows from its size and the
-- model's threshold, so both stores exist; a conversation only ever writes to one.
ALTER TABLE messages
  ADD COLUMN status smallint NOT NULL DEFAULT 0,
  ADD COLUMN status_version bigint NOT NULL DEFAULT 0;
CREATE INDEX messages_status_changes ON messages (sender_id, status_version);

CREATE TABLE receipts (
  conversation_id bigint NOT NULL,
  seq bigint NOT NULL,
  user_id bigint NOT NULL,
  sender_id bigint NOT NULL,
  status smallint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, user_id, seq)
);
CREATE INDEX receipts_changes ON receipts (sender_id, version);
CREATE INDEX receipts_by_message ON receipts (conversation_id, seq, status);

CREATE TABLE message_status (
  user_id bigint NOT NULL,
  conversation_id bigint NOT NULL,
  last_delivered_seq bigint NOT NULL DEFAULT 0,
  last_read_seq bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, conversation_id),
  CHECK (last_read_seq <= last_delivered_seq)
);
CREATE INDEX message_status_by_conversation ON message_status (conversation_id, version);

-- the read-receipts setting once per user, cached by the client (the seeds' answer for both stores)
ALTER TABLE users ADD COLUMN read_receipts boolean NOT NULL DEFAULT true;
