-- write-behind: the same two integers per user per conversation as watermark, but written by a
-- batched flush from the node's memory rather than by each ack.
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

-- the read-receipts setting, once per user; clients cache it at login
ALTER TABLE users ADD COLUMN read_receipts boolean NOT NULL DEFAULT true;
